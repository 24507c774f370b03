#include "sse.h"

#include <string.h>

void sse_init(sse_t *s, int (*on_event)(void *, const char *, const char *, size_t), void *ud)
{
	memset(s, 0, sizeof *s);
	s->on_event = on_event;
	s->ud = ud;
}

void sse_free(sse_t *s)
{
	sb_free(&s->line);
	sb_free(&s->event);
	sb_free(&s->data);
}

static int dispatch(sse_t *s)
{
	int rc = 0;
	if (s->has_data)
		rc = s->on_event(s->ud, sb_str(&s->event), sb_str(&s->data), s->data.len);
	sb_reset(&s->event);
	sb_reset(&s->data);
	s->has_data = 0;
	return rc;
}

static size_t cap_of(const sse_t *s)
{
	return s->max ? s->max : SSE_MAX_EVENT;
}

static int line(sse_t *s, const char *p, size_t n)
{
	if (n == 0)
		return dispatch(s);
	if (p[0] == ':')
		return 0;
	const char *colon = memchr(p, ':', n);
	size_t fl = colon ? (size_t)(colon - p) : n;
	const char *v = colon ? colon + 1 : p + n;
	size_t vl = (size_t)(p + n - v);
	if (vl && *v == ' ')
		v++, vl--;
	if (fl == 4 && !memcmp(p, "data", 4)) {
		if (s->data.len + vl + 1 > cap_of(s)) {
			s->too_long = 1;
			return -1;
		}
		if (s->has_data)
			sb_addc(&s->data, '\n');
		sb_add(&s->data, v, vl);
		s->has_data = 1;
	} else if (fl == 5 && !memcmp(p, "event", 5)) {
		sb_reset(&s->event);
		sb_add(&s->event, v, vl);
	}
	/* id and retry do not matter to a one-shot request. */
	return 0;
}

int sse_feed(sse_t *s, const char *p, size_t n)
{
	if (s->too_long)
		return -1;
	/* An empty read must not forget a '\r' that ended the one before. */
	if (n == 0)
		return 0;
	size_t i = 0;
	if (s->last_cr && n && p[0] == '\n')
		i = 1;
	s->last_cr = 0;
	size_t start = i;
	for (; i < n; i++) {
		if (p[i] != '\n' && p[i] != '\r')
			continue;
		int rc;
		if (s->line.len) {
			if (s->line.len + (i - start) > cap_of(s)) {
				s->too_long = 1;
				return -1;
			}
			sb_add(&s->line, p + start, i - start);
			rc = line(s, s->line.p, s->line.len);
			sb_reset(&s->line);
		} else {
			rc = line(s, p + start, i - start);
		}
		if (p[i] == '\r') {
			if (i + 1 < n && p[i + 1] == '\n')
				i++;
			else if (i + 1 == n)
				s->last_cr = 1;
		}
		start = i + 1;
		if (rc)
			return rc;
	}
	if (start < n) {
		if (s->line.len + (n - start) > cap_of(s)) {
			s->too_long = 1;
			return -1;
		}
		sb_add(&s->line, p + start, n - start);
	}
	return 0;
}

int sse_end(sse_t *s)
{
	int pending = s->has_data || s->line.len;
	sb_reset(&s->line);
	sb_reset(&s->event);
	sb_reset(&s->data);
	s->has_data = 0;
	return pending;
}
