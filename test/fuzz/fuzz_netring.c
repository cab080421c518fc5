/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the raw network rings' checks (user/drivers/virtio-net/
 * netring.c): the input is a geometry and a script in which a hostile client
 * writes any index and any slot length while the driver's side puts and gets.
 * After every step: nothing outside the frame was touched (AddressSanitizer:
 * the frame is one heap block of the exact size), a frame the driver got is
 * within bounds, the driver's own index moves only by its own operations and
 * never past what the checks allow, and a broken ring stays broken.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netring.h"

#define FRAME_MAX 1518u

static uint32_t take32(const uint8_t **p, size_t *n)
{
	uint32_t v = 0;
	for (int i = 0; i < 4 && *n; i++, (*p)++, (*n)--)
		v |= (uint32_t) * *p << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint32_t rx = 1u << (data[0] % 9), tx = 1u << (data[1] % 9);
	data += 2, size -= 2;
	uint64_t bytes = KOSH_NET_RING_BYTES(rx, tx);
	uint8_t *frame = malloc(bytes);
	if (!frame)
		return 0;
	memset(frame, 0, bytes);
	struct netring drv_rx, drv_tx;
	if (netring_init(&drv_rx, frame, bytes, rx, tx, 0, 1, FRAME_MAX) ||
	    netring_init(&drv_tx, frame, bytes, rx, tx, 1, 0, FRAME_MAX))
		abort();
	struct kosh_net_shared *sh = (struct kosh_net_shared *)frame;
	uint8_t buf[FRAME_MAX], in[FRAME_MAX];
	memset(in, 0x5a, sizeof(in));
	while (size) {
		uint8_t op = *data++;
		size--;
		uint32_t v = take32(&data, &size);
		uint32_t rx_before = drv_rx.index, tx_before = drv_tx.index;
		int rx_broken = drv_rx.broken, tx_broken = drv_tx.broken;
		int r;
		uint32_t len = 0;
		switch (op % 5) {
		case 0: /* the client's transmit head */
			sh->tx.head = v;
			break;
		case 1: /* the client's receive tail */
			sh->rx.tail = v;
			break;
		case 2: /* a transmit slot's length */
			((struct kosh_net_slot *)(frame +
						  KOSH_NET_SLOTS_OFFSET))[rx + (v >> 24) % tx]
			    .len = v & 0xffffff;
			break;
		case 3: /* the driver takes a frame */
			r = netring_get(&drv_tx, buf, (v & 1) ? sizeof(buf) : 64, &len);
			if (r == 1 &&
			    (len < KOSH_NET_FRAME_MIN || len > ((v & 1) ? FRAME_MAX : 64)))
				abort();
			if ((r == 1 || r == NETRING_E_LEN) != (drv_tx.index == tx_before + 1))
				abort();
			if (r == 0 || r == NETRING_E_BROKEN) {
				if (drv_tx.index != tx_before)
					abort();
			}
			/* A frame was taken only when the client's head allowed it. */
			if ((r == 1 || r == NETRING_E_LEN) &&
			    ((uint32_t)(sh->tx.head - tx_before) - 1u) >= tx)
				abort();
			break;
		case 4: /* the driver puts a frame */
			r = netring_put(&drv_rx, in, KOSH_NET_FRAME_MIN + v % (FRAME_MAX - 13));
			if ((r == 1) != (drv_rx.index == rx_before + 1))
				abort();
			/* A slot was filled only when the client's tail left room. */
			if (r == 1 && (uint32_t)(rx_before - sh->rx.tail) >= rx)
				abort();
			break;
		}
		if ((rx_broken && !drv_rx.broken) || (tx_broken && !drv_tx.broken))
			abort();
		if (drv_rx.broken && drv_rx.index != rx_before)
			abort();
	}
	free(frame);
	return 0;
}
