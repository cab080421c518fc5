/* SPDX-License-Identifier: MIT */
/*
 * Intrusive doubly linked lists: circular, with the head a sentinel, so adding
 * and removing never branch on an empty list. A node that is on no list points
 * to itself (list_init), which list_linked() reports.
 */
#ifndef KERNEL_LIST_H
#define KERNEL_LIST_H

#include <stddef.h>

struct list {
	struct list *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }

static inline void list_init(struct list *l)
{
	l->next = l->prev = l;
}

static inline int list_empty(const struct list *head)
{
	return head->next == head;
}

/* 1 if node is on a list (it was list_init-ed and added). */
static inline int list_linked(const struct list *node)
{
	return node->next != node;
}

static inline void list_insert_between(struct list *n, struct list *prev, struct list *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

/* Add n at the back of head's list. */
static inline void list_add_tail(struct list *head, struct list *n)
{
	list_insert_between(n, head->prev, head);
}

/* Add n at the front of head's list. */
static inline void list_add_head(struct list *head, struct list *n)
{
	list_insert_between(n, head, head->next);
}

/* Take n off its list (it then points to itself). */
static inline void list_remove(struct list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	list_init(n);
}

/* The first node of head's list, or NULL when it is empty. */
static inline struct list *list_first(const struct list *head)
{
	return list_empty(head) ? NULL : head->next;
}

#define list_entry(node, type, member) ((type *)((char *)(node) - offsetof(type, member)))

#define list_for_each(pos, head) for (struct list *pos = (head)->next; pos != (head); pos = pos->next)

/* Safe against removing pos inside the loop. */
#define list_for_each_safe(pos, tmp, head) \
	for (struct list *pos = (head)->next, *tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)

#endif
