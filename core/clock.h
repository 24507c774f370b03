/* Time: the injectable clock, and parsing/formatting of times and durations.
 * All times are Unix nanoseconds in an int64 (good until the year 2262). */
#ifndef LLMOPS_CLOCK_H
#define LLMOPS_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL
#define NS_PER_MIN (60 * NS_PER_S)
#define NS_PER_HOUR (3600 * NS_PER_S)
#define NS_PER_DAY (86400 * NS_PER_S)

/* Wall-clock now, or LLMOPS_NOW when set (tests). Returns -1 and sets *err
 * when LLMOPS_NOW is set but unreadable. */
int64_t clock_now_ns(void);
int clock_check_env(const char **bad_value);

/* Monotonic seconds for measuring elapsed time. */
double clock_mono(void);

/* RFC 3339 ("2026-11-23T10:31:00.123Z", offsets allowed, 'T' or ' ')
 * or Unix seconds ("1767225600", fractions allowed). 0 on success. */
int clock_parse_time(const char *s, int64_t *ns);
/* RFC 3339 only, with length (not NUL-terminated input). */
int clock_parse_rfc3339(const char *s, size_t n, int64_t *ns);
/* A Unix timestamp given as a number whose unit is guessed from its size:
 * seconds, milliseconds, microseconds or nanoseconds. -1 when it is not a
 * positive time before the year 2262. */
int64_t clock_from_unix_guess(double v);

/* "30s", "15m", "1h", "7d", "2w", or combinations like "1h30m". */
int clock_parse_dur(const char *s, int64_t *ns);

/* "2026-11-23T10:31:00Z" (fraction added only when non-zero, ms precision). */
void clock_fmt_rfc3339(int64_t ns, char *out, size_t n);
/* "2026-11-23 10:31" in UTC. */
void clock_fmt_short(int64_t ns, char *out, size_t n);
/* "1h", "15m", "7d", "1h30m". */
void clock_fmt_dur(int64_t ns, char *out, size_t n);

/* Days since 1970-01-01 for a civil date, and back. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

static inline int64_t floor_to(int64_t t, int64_t step)
{
	int64_t r = t % step;
	return r < 0 ? t - r - step : t - r;
}

static inline int64_t ceil_to(int64_t t, int64_t step)
{
	int64_t f = floor_to(t, step);
	return f == t ? t : f + step;
}

#endif
