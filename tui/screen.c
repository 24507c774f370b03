#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>
#include <wchar.h>

#include "tui_internal.h"

tui_state tui;

static int has_cup(void)
{
	char *cup = tigetstr("cup");
	return cup && cup != (char *)-1;
}

/* ncurses refuses an unknown TERM (initscr would even exit): try it, then
 * terminals every terminfo database has. */
static SCREEN *open_screen(const char **used, char *err, size_t errlen)
{
	const char *term = getenv("TERM");
	if (!tui.no_display && (!term || !*term || !strcmp(term, "dumb"))) {
		snprintf(err, errlen,
			 "the terminal (TERM=%s) cannot move the cursor; run llmops in a terminal such as xterm, or set "
			 "TERM=xterm-256color (llmops report works anywhere)",
			 term && *term ? term : "unset");
		return NULL;
	}
	static const char *const fallbacks[] = {NULL, "xterm-256color", "xterm", "vt100", "ansi"};
	for (size_t i = 0; i < sizeof fallbacks / sizeof *fallbacks; i++) {
		const char *t = i == 0 ? term : fallbacks[i];
		if (!t)
			continue;
		SCREEN *s = newterm(t, tui.out, tui.in);
		if (s) {
			*used = t;
			return s;
		}
	}
	snprintf(err, errlen, "no terminal description for TERM=%s, nor for xterm", term ? term : "unset");
	return NULL;
}

int tui_init(const tui_opts *o, char *err, size_t errlen)
{
	memset(&tui, 0, sizeof tui);
	tui.no_display = o->no_display;
	/* Characters by the locale; numbers stay "C" (strtod, JSON). */
	setlocale(LC_CTYPE, "");
	const char *cs = nl_langinfo(CODESET);
	tui.ascii = o->ascii || !cs || strcmp(cs, "UTF-8");
	if (tui.no_display) {
		/* Draw into memory: output to /dev/null, no keys from anywhere. */
		tui.out = fopen("/dev/null", "w");
		tui.in = fopen("/dev/null", "r");
		if (!getenv("TERM"))
			setenv("TERM", "xterm-256color", 1);
	} else if (isatty(0) && isatty(1)) {
		tui.out = stdout;
		tui.in = stdin;
	} else {
		/* Piped: talk to the terminal itself, never to the data. */
		FILE *tty = fopen("/dev/tty", "r+");
		if (!tty) {
			snprintf(err, errlen, "no terminal to draw on (%s); use llmops report", strerror(errno));
			return -1;
		}
		tui.out = tui.in = tui.tty = tty;
	}
	const char *term = NULL;
	tui.screen = open_screen(&term, err, errlen);
	if (!tui.screen)
		return -1;
	set_term(tui.screen);
	if (!tui.no_display && !has_cup()) {
		endwin();
		delscreen(tui.screen);
		tui.screen = NULL;
		snprintf(err, errlen, "the terminal (TERM=%s) cannot move the cursor; set TERM=xterm-256color", term);
		return -1;
	}
	tui.active = 1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(50);
	meta(stdscr, TRUE);
	if (tui.no_display) {
		/* A fixed size, from LINES/COLUMNS or 24x80. */
		int rows = getenv("LINES") ? atoi(getenv("LINES")) : 24, cols = getenv("COLUMNS") ? atoi(getenv("COLUMNS")) : 80;
		resizeterm(rows > 0 ? rows : 24, cols > 0 ? cols : 80);
	}
	colors_init(o->color);
	tui_resize();
	return 0;
}

void tui_end(void)
{
	if (!tui.active)
		return;
	tui.active = 0;
	curs_set(1);
	endwin();
	delscreen(tui.screen);
	tui.screen = NULL;
	if (tui.no_display) {
		fclose(tui.out);
		fclose(tui.in);
	} else if (tui.tty) {
		fclose(tui.tty);
	}
	tui.out = tui.in = tui.tty = NULL;
}

int tui_active(void)
{
	return tui.active;
}

int tui_input_fd(void)
{
	return tui.active && !tui.no_display ? fileno(tui.in) : -1;
}

void tui_size(int *rows, int *cols)
{
	*rows = LINES;
	*cols = COLS;
}

int tui_resize(void)
{
	if (!tui.active || tui.no_display)
		return 0;
	struct winsize ws;
	if (ioctl(fileno(tui.out), TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS)) {
		resizeterm(ws.ws_row, ws.ws_col);
		return 1;
	}
	return 0;
}

int tui_ascii(void)
{
	return tui.ascii;
}

void tui_frame_begin(void)
{
	erase();
}

void tui_frame_end(void)
{
	wnoutrefresh(stdscr);
	doupdate();
}

void tui_suspend(void)
{
	if (!tui.active)
		return;
	def_prog_mode();
	endwin();
}

void tui_resume(void)
{
	if (!tui.active)
		return;
	reset_prog_mode();
	clearok(curscr, TRUE); /* the child drew on the screen: repaint it all */
	refresh();
}

void tui_stop(void)
{
	if (!tui.active || tui.no_display)
		return;
	tui_suspend();
	fflush(tui.out);
	/* SIGSTOP, which nothing can catch, to the whole job (a wrapping
	 * script too, or the shell would not see it stopped): the shell gets
	 * the terminal back until fg sends SIGCONT, and then this returns. */
	kill(0, SIGSTOP);
	tui_resize();
	tui_resume();
}

void tui_redraw(void)
{
	if (tui.active)
		clearok(curscr, TRUE);
}

void tui_bell(void)
{
	/* The terminal's audible bell only: flash() would repaint the screen. */
	if (tui.active && !tui.no_display)
		beep();
}

int tui_dump(FILE *f)
{
	for (int y = 0; y < LINES; y++) {
		cchar_t cells[1024];
		int n = COLS < 1024 ? COLS : 1024;
		sbuf line = SBUF_INIT;
		for (int x = 0; x < n; x++) {
			if (mvwin_wch(stdscr, y, x, &cells[x]) == ERR)
				break;
			wchar_t wc[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			getcchar(&cells[x], wc, &a, &pair, NULL);
			for (int k = 0; wc[k] && k < CCHARW_MAX; k++) {
				char b[8];
				int len = wctomb(b, wc[k]);
				if (len > 0)
					sb_add(&line, b, (size_t)len);
			}
			if (!wc[0])
				continue;
			if (wcwidth(wc[0]) == 2)
				x++; /* its right half holds the same character */
		}
		size_t l = line.len;
		while (l && line.p[l - 1] == ' ')
			l--;
		fprintf(f, "%.*s\n", (int)l, l ? line.p : "");
		sb_free(&line);
	}
	return ferror(f) ? -1 : 0;
}

/* OSC 52 carries the text in base64; the terminal (or tmux, with
 * set-clipboard on) puts it on the system clipboard, over SSH too. */
int tui_clipboard(const char *text, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	if (!tui.active || !tui.out || len > TUI_CLIPBOARD_MAX)
		return -1;
	sbuf o = SBUF_INIT;
	sb_adds(&o, "\033]52;c;");
	const unsigned char *p = (const unsigned char *)text;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < len ? p[i + 2] : 0);
		sb_addc(&o, b64[v >> 18 & 63]);
		sb_addc(&o, b64[v >> 12 & 63]);
		sb_addc(&o, i + 1 < len ? b64[v >> 6 & 63] : '=');
		sb_addc(&o, i + 2 < len ? b64[v & 63] : '=');
	}
	sb_addc(&o, '\a');
	/* Curses has sent its frame: the sequence goes straight after it. */
	fflush(tui.out);
	int fd = fileno(tui.out), rc = 0;
	for (size_t off = 0; off < o.len;) {
		ssize_t w = write(fd, o.p + off, o.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	sb_free(&o);
	return rc;
}
