/* SPDX-License-Identifier: MIT */
/*
 * The serial protocol (docs/console.md): what a serial driver (uart16550,
 * pl011) serves on its "serial" endpoint and the console calls. Bytes in both
 * directions are raw: no line discipline, no newline translation (that is the
 * console's).
 *
 * Messages. The label is the operation; words 0 .. 3 travel in registers;
 * bytes start at word 4, KOSH_SERIAL_DATA_OFFSET bytes into the words, and the
 * message's word count covers them (rounded up to whole words). A reply's
 * label is 0 on success or a KOSH_SERIAL_E* error (the Linux ABI's errno
 * numbers, as in <kosh/proto/vfs.h>).
 *
 * Receiving: READ waits until at least one received byte is buffered (the
 * driver saves the reply and answers when the receive interrupt brings data),
 * unless KOSH_SERIAL_READ_NOWAIT asks for an answer at once. Waiting readers
 * are answered in the order they came; the driver keeps at most
 * KOSH_SERIAL_READERS_MAX of them and answers the oldest with EAGAIN to make
 * room. Bytes are only taken from the driver's buffer by a reply that reached
 * its caller, so a reader that died waiting loses nothing. The endpoint
 * outlives the driver (init restarts it on the same endpoint): a caller whose
 * READ gets KOSH_E_PEER_CLOSED simply calls again.
 */
#ifndef KOSH_PROTO_SERIAL_H
#define KOSH_PROTO_SERIAL_H

#include <stdint.h>

#include <kosh/abi.h>

enum kosh_serial_op {
	KOSH_SERIAL_WRITE = 1, /* w0 bytes; data | reply: w0 bytes sent */
	KOSH_SERIAL_READ =
	    2, /* w0 most bytes wanted (1 .. IO_MAX), w1 flags | reply: w0 bytes; data */
	KOSH_SERIAL_INFO =
	    3, /* - | reply: w0 baud (0: unknown), w1 bytes buffered, w2 bytes dropped */
};

#define KOSH_SERIAL_READ_NOWAIT 0x1u /* READ: answer at once, with 0 bytes if none are buffered */

#define KOSH_SERIAL_DATA_OFFSET 32u				 /* bytes: data starts at word 4 */
#define KOSH_SERIAL_IO_MAX	((KOSH_MSG_WORDS_MAX - 4u) * 8u) /* 4064 bytes per READ / WRITE */
#define KOSH_SERIAL_READERS_MAX 4u

/* Errors (a reply's label). */
#define KOSH_SERIAL_EAGAIN 11u /* a waiting READ pushed out by newer ones: call again */
#define KOSH_SERIAL_EIO	   5u  /* the transmitter did not take the bytes */
#define KOSH_SERIAL_EINVAL 22u /* a bad size or flag */
#define KOSH_SERIAL_ENOSYS 38u /* an unknown operation */
#define KOSH_SERIAL_EPROTO 71u /* a malformed message (word count, capabilities) */

/* The words a message with n data bytes needs. */
static inline uint32_t kosh_serial_words(uint32_t n)
{
	return 4u + (n + 7u) / 8u;
}

_Static_assert(KOSH_SERIAL_IO_MAX == 4064u, "a READ or WRITE fills one message");

#endif
