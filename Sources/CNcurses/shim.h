// Typed wrappers for the ncurses macros and globals Swift cannot import,
// kept in one header so only StorefrontTerminal ever sees ncurses.
#ifndef STOREFRONT_CNCURSES_SHIM_H
#define STOREFRONT_CNCURSES_SHIM_H
// SwiftPM drops pkg-config's -D_XOPEN_SOURCE, so ask for the wide-character API here.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>
#include <locale.h>
#include <langinfo.h>
static inline const char *sf_codeset(void) { return nl_langinfo(CODESET); }

static inline WINDOW *sf_stdscr(void) { return stdscr; }
static inline int sf_rows(void) { int y, x; getmaxyx(stdscr, y, x); (void)x; return y; }
static inline int sf_cols(void) { int y, x; getmaxyx(stdscr, y, x); (void)y; return x; }
static inline int sf_colors(void) { return COLORS; }
static inline int sf_color_pairs(void) { return COLOR_PAIRS; }
static inline void sf_timeout(int ms) { wtimeout(stdscr, ms); }
static inline int sf_keypad(int on) { return keypad(stdscr, on ? TRUE : FALSE); }

/// Reads one key: returns OK with a character, KEY_CODE_YES with a function key, or ERR on timeout.
static inline int sf_get_key(unsigned int *out) {
    wint_t ch = 0;
    int kind = wget_wch(stdscr, &ch);
    *out = (unsigned int)ch;
    return kind;
}
static inline int sf_key_f(int n) { return KEY_F(n); }

static inline attr_t sf_a_normal(void) { return A_NORMAL; }
static inline attr_t sf_a_bold(void) { return A_BOLD; }
static inline attr_t sf_a_dim(void) { return A_DIM; }
static inline attr_t sf_a_underline(void) { return A_UNDERLINE; }
static inline attr_t sf_a_reverse(void) { return A_REVERSE; }

static inline int sf_init_pair(int pair, int fg, int bg) { return init_extended_pair(pair, fg, bg); }
static inline int sf_put(int y, int x, const char *text, attr_t attrs, int pair) {
    attr_set(attrs, (short)pair, NULL);
    return mvaddstr(y, x, text);
}

static inline unsigned long sf_mouse_clicks(void) { return BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED; }
static inline unsigned long sf_mouse_double(void) { return BUTTON1_DOUBLE_CLICKED; }
static inline unsigned long sf_mouse_wheel(void) { return BUTTON4_PRESSED | BUTTON5_PRESSED; }
/// Reads a mouse event: 1 and the cell for a button-1 click, 2 for the wheel
/// turned up, 3 for down, 0 for anything else.
static inline int sf_get_mouse(int *y, int *x, unsigned long *buttons) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *y = event.y; *x = event.x; *buttons = (unsigned long)event.bstate;
    if (event.bstate & BUTTON4_PRESSED) return 2;
    if (event.bstate & BUTTON5_PRESSED) return 3;
    return (event.bstate & sf_mouse_clicks()) ? 1 : 0;
}
/// Ctrl-L: the next refresh repaints every cell.
static inline void sf_clear_on_refresh(void) { clearok(curscr, TRUE); }
#endif
