#include <curses.h>
#include <errno.h>
#include <unistd.h>

#include "../core/keymap.h"
#include "tui_internal.h"

static int translate(int r, wint_t wc)
{
	if (r == OK) {
		if (wc == '\r' || wc == '\n')
			return K_ENTER;
		if (wc == 127 || wc == 8)
			return K_BACKSPACE;
		return (int)wc;
	}
	switch (wc) {
	case KEY_UP: return K_UP;
	case KEY_DOWN: return K_DOWN;
	case KEY_LEFT: return K_LEFT;
	case KEY_RIGHT: return K_RIGHT;
	case KEY_HOME: return K_HOME;
	case KEY_END: return K_END;
	case KEY_PPAGE: return K_PGUP;
	case KEY_NPAGE: return K_PGDN;
	case KEY_BTAB: return K_BTAB;
	case KEY_BACKSPACE: return K_BACKSPACE;
	case KEY_DC: return K_DEL;
	case KEY_IC: return K_INS;
	case KEY_ENTER: return K_ENTER;
	case KEY_RESIZE: return K_RESIZE;
	default:
		if (wc >= KEY_F(1) && wc <= KEY_F(12))
			return K_F1 + (int)(wc - KEY_F(1));
		return 0;
	}
}

int tui_key(int *key)
{
	if (!tui.active || tui.no_display)
		return 0;
	for (;;) {
		wint_t wc;
		int r = wget_wch(stdscr, &wc);
		if (r == ERR) {
			/* Nothing buffered. curses cannot tell an idle terminal from a
			 * dead one: read() can (0 or EIO after a hang-up). */
			return 0;
		}
		int k = translate(r, wc);
		if (k == K_ESC) {
			/* Alt sends Esc and the key together; curses has already waited
			 * ESCDELAY (50 ms) after a lone Esc, so what is not here now
			 * was typed after it. */
			wint_t wc2;
			int r2 = wget_wch(stdscr, &wc2);
			int k2 = r2 == ERR ? 0 : translate(r2, wc2);
			if (k2 && k2 != K_ESC && k2 != K_RESIZE)
				k = K_META(k2);
			else if (r2 != ERR)
				unget_wch((wchar_t)wc2);
		}
		if (k) {
			*key = k;
			return 1;
		}
	}
}

int tui_hung_up(void)
{
	if (!tui.active || tui.no_display)
		return 0;
	char c;
	ssize_t n = read(fileno(tui.in), &c, 1);
	if (n == 0 || (n < 0 && errno == EIO))
		return 1;
	if (n == 1)
		ungetch((unsigned char)c); /* a byte after all: keep it for curses */
	return 0;
}
