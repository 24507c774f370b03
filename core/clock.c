#include "clock.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Howard Hinnant's algorithms: exact for the proleptic Gregorian calendar,
 * and independent of the process time zone (timegm is not in C11). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const int64_t yy = (int64_t)yoe + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static int digits(const char *s, size_t n, size_t at, size_t count, int *out)
{
	if (at + count > n)
		return -1;
	int v = 0;
	for (size_t i = 0; i < count; i++) {
		if (!isdigit((unsigned char)s[at + i]))
			return -1;
		v = v * 10 + (s[at + i] - '0');
	}
	*out = v;
	return 0;
}

int clock_parse_rfc3339(const char *s, size_t n, int64_t *ns)
{
	int Y, M, D, h = 0, mi = 0, sec = 0;
	if (digits(s, n, 0, 4, &Y) || n < 10 || s[4] != '-' || digits(s, n, 5, 2, &M) || s[7] != '-' ||
	    digits(s, n, 8, 2, &D))
		return -1;
	size_t i = 10;
	int64_t frac = 0;
	int64_t off = 0;
	if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		if (digits(s, n, i + 1, 2, &h) || i + 3 >= n || s[i + 3] != ':' || digits(s, n, i + 4, 2, &mi))
			return -1;
		i += 6;
		if (i < n && s[i] == ':') {
			if (digits(s, n, i + 1, 2, &sec))
				return -1;
			i += 3;
		}
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			i++;
			int64_t scale = 100000000;
			size_t start = i;
			while (i < n && isdigit((unsigned char)s[i])) {
				if (scale) {
					frac += (s[i] - '0') * scale;
					scale /= 10;
				}
				i++;
			}
			if (i == start)
				return -1;
		}
		if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
			i++;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			int oh, om = 0;
			int sign = s[i] == '-' ? -1 : 1;
			if (digits(s, n, i + 1, 2, &oh))
				return -1;
			i += 3;
			if (i < n && s[i] == ':')
				i++;
			if (i < n && digits(s, n, i, 2, &om) == 0)
				i += 2;
			off = sign * ((int64_t)oh * 3600 + om * 60);
		}
		/* No zone at all: UTC, as simonw/llm's old datetime_utc values are. */
	}
	if (i != n)
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	int64_t days = days_from_civil(Y, (unsigned)M, (unsigned)D);
	int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - off;
	if (secs < 0 || secs > INT64_MAX / NS_PER_S - 1)
		return -1; /* before 1970 or after 2262: not a time we can hold */
	*ns = secs * NS_PER_S + frac;
	return 0;
}

int64_t clock_from_unix_guess(double v)
{
	if (!(v > 0) || !isfinite(v))
		return -1;
	/* Seconds, milliseconds, microseconds or nanoseconds, by size. */
	int64_t unit = v < 1e11 ? NS_PER_S : v < 1e14 ? NS_PER_MS : v < 1e17 ? 1000 : 1;
	if (v * (double)unit >= 9.2e18)
		return -1;
	if (v == floor(v) && v < 9e15)
		return (int64_t)v * unit; /* whole numbers exactly, in integers */
	return (int64_t)(v * (double)unit);
}

int clock_parse_time(const char *s, int64_t *ns)
{
	if (!s || !*s)
		return -1;
	size_t n = strlen(s);
	if (clock_parse_rfc3339(s, n, ns) == 0)
		return 0;
	char *end;
	/* Integer seconds exactly, so that large values do not pass through a double. */
	long long iv = strtoll(s, &end, 10);
	if (*end == 0 && end != s) {
		if (iv < 0 || iv > INT64_MAX / NS_PER_S - 1)
			return -1;
		*ns = (int64_t)iv * NS_PER_S;
		return 0;
	}
	double v = strtod(s, &end);
	if (*end == 0 && end != s && v >= 0 && v < 9.2e9) {
		*ns = (int64_t)(v * 1e9);
		return 0;
	}
	return -1;
}

int clock_parse_dur(const char *s, int64_t *ns)
{
	if (!s || !*s)
		return -1;
	int64_t total = 0;
	const char *p = s;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		char *end;
		long long v = strtoll(p, &end, 10);
		int64_t unit;
		switch (*end) {
		case 's': unit = NS_PER_S; break;
		case 'm': unit = NS_PER_MIN; break;
		case 'h': unit = NS_PER_HOUR; break;
		case 'd': unit = NS_PER_DAY; break;
		case 'w': unit = 7 * NS_PER_DAY; break;
		default: return -1;
		}
		if (v < 0 || v > 100000)
			return -1;
		total += v * unit;
		p = end + 1;
	}
	if (total <= 0)
		return -1;
	*ns = total;
	return 0;
}

static const char *now_env(void)
{
	const char *v = getenv("LLMOPS_NOW");
	return v && *v ? v : NULL;
}

int clock_check_env(const char **bad_value)
{
	const char *v = now_env();
	int64_t t;
	if (v && clock_parse_time(v, &t)) {
		*bad_value = v;
		return -1;
	}
	return 0;
}

int64_t clock_now_ns(void)
{
	const char *v = now_env();
	int64_t t;
	if (v && clock_parse_time(v, &t) == 0)
		return t;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

double clock_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void split(int64_t ns, int64_t *y, unsigned *mo, unsigned *d, int *h, int *mi, int *s, int *ms)
{
	int64_t secs = floor_to(ns, NS_PER_S) / NS_PER_S;
	int64_t days = floor_to(secs, 86400) / 86400;
	int64_t rem = secs - days * 86400;
	civil_from_days(days, y, mo, d);
	*h = (int)(rem / 3600);
	*mi = (int)(rem / 60 % 60);
	*s = (int)(rem % 60);
	*ms = (int)((ns - secs * NS_PER_S) / NS_PER_MS);
}

void clock_fmt_rfc3339(int64_t ns, char *out, size_t n)
{
	int64_t y;
	unsigned mo, d;
	int h, mi, s, ms;
	split(ns, &y, &mo, &d, &h, &mi, &s, &ms);
	if (ms)
		snprintf(out, n, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, mo, d, h, mi, s, ms);
	else
		snprintf(out, n, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, mo, d, h, mi, s);
}

void clock_fmt_short(int64_t ns, char *out, size_t n)
{
	int64_t y;
	unsigned mo, d;
	int h, mi, s, ms;
	split(ns, &y, &mo, &d, &h, &mi, &s, &ms);
	snprintf(out, n, "%04lld-%02u-%02u %02d:%02d", (long long)y, mo, d, h, mi);
}

void clock_fmt_dur(int64_t ns, char *out, size_t n)
{
	int64_t s = ns / NS_PER_S;
	if (s <= 0) {
		snprintf(out, n, "0s");
		return;
	}
	int64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
	size_t o = 0;
	out[0] = 0;
#define PART(v, u)                                                                                   \
	if ((v) && o < n)                                                                            \
		o += (size_t)snprintf(out + o, n - o, "%lld" u, (long long)(v));
	PART(d, "d");
	PART(h, "h");
	PART(m, "m");
	PART(sec, "s");
#undef PART
}
