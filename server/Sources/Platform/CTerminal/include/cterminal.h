#ifndef STOREFRONT_CTERMINAL_H
#define STOREFRONT_CTERMINAL_H

#include <sys/types.h>
#include <stddef.h>

/// Opens a pseudo-terminal of `columns` x `rows`: its near end in `*master`
/// (close-on-exec), the far end's path in `name`. 0, or an errno.
int cterminal_open(int *master, char *name, size_t name_length, unsigned short columns, unsigned short rows);

/// Sets the terminal's size; the kernel tells its foreground programs (SIGWINCH).
int cterminal_resize(int master, unsigned short columns, unsigned short rows);

/// Starts `path` as the leader of a new session whose controlling terminal is
/// `terminal` (its standard input, output and error), with no other descriptor
/// of the caller, default signal handling and an empty signal mask. 0, or an errno.
int cterminal_spawn(pid_t *pid, const char *path, const char *terminal, char *const argv[], char *const envp[]);

#endif
