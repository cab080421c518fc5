/* SPDX-License-Identifier: MIT */
/*
 * cp source dest, cp source... dir: copies files (not directories). When the
 * last operand is a directory each source goes into it under its own name;
 * several sources need a directory.
 */

#include "copy.h"

int main(int argc, char **argv)
{
	return copy_main(argc, argv, "cp", copy_file);
}
