/* Following growing files (`watch otlp|jsonl PATH`, `llmops watch FILE`):
 * appended lines, or length-delimited OTLP protobuf messages, are imported
 * as they come (the kind is told from the first bytes when not given); a
 * file that is not there yet is waited for; a file that is truncated is read again from the
 * start, one that is rotated (renamed, a new one created) is finished and
 * the new one followed. inotify wakes the loop; a stat on each refresh tick
 * covers file systems without it. */
#ifndef LLMOPS_FOLLOW_H
#define LLMOPS_FOLLOW_H

#include <stddef.h>

#include "../core/pricing.h"
#include "import.h"
#include "store.h"

typedef struct follower follower_t;

follower_t *follower_new(const char *path, int format);
void follower_free(follower_t *f);
/* A descriptor that becomes readable when the file (or its folder) changes,
 * or -1. */
int follower_fd(follower_t *f);
/* 1 while a backlog remains to be read (the loop should not sleep). */
int follower_pending(follower_t *f);
/* Reads and imports what was appended, up to a slice. Returns the number of
 * calls stored, -1 on a store error; err gets the first problem to show
 * (a bad line, a vanished file). */
int follower_poll(follower_t *f, store_t *st, pricing_t *prices, char *err, size_t errlen);
/* News that is not an error ("waiting for FILE to appear", "FILE appeared;
 * following it"), once: 1 with it in out, or 0. */
int follower_note(follower_t *f, char *out, size_t n);

#endif
