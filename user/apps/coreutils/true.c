/* SPDX-License-Identifier: MIT */
/* true: does nothing, successfully (status 0). */
int main(void)
{
	return 0;
}
