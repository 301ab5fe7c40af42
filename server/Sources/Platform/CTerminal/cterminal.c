#define _GNU_SOURCE
#include "cterminal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int cterminal_open(int *master, char *name, size_t name_length, unsigned short columns, unsigned short rows) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return errno;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0) {
        int error = errno;
        close(fd);
        return error;
    }
    int error = ptsname_r(fd, name, name_length);
    if (error != 0) {
        close(fd);
        return error;
    }
    struct winsize size = {.ws_row = rows ? rows : 24, .ws_col = columns ? columns : 80};
    ioctl(fd, TIOCSWINSZ, &size);
    *master = fd;
    return 0;
}

int cterminal_resize(int master, unsigned short columns, unsigned short rows) {
    struct winsize size = {.ws_row = rows ? rows : 1, .ws_col = columns ? columns : 1};
    return ioctl(master, TIOCSWINSZ, &size) == 0 ? 0 : errno;
}

int cterminal_spawn(pid_t *pid, const char *path, const char *terminal, char *const argv[], char *const envp[]) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    sigset_t empty, defaults;
    int error;

    posix_spawn_file_actions_init(&actions);
    // After setsid (the spawn's first step), opening the terminal without
    // O_NOCTTY makes it the new session's controlling terminal.
    posix_spawn_file_actions_addopen(&actions, 0, terminal, O_RDWR, 0);
    posix_spawn_file_actions_adddup2(&actions, 0, 1);
    posix_spawn_file_actions_adddup2(&actions, 0, 2);
    // Nothing else of the server's (sockets, other sessions' terminals).
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    posix_spawnattr_init(&attributes);
    sigemptyset(&empty);
    sigemptyset(&defaults);
    const int reset[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD, SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++) sigaddset(&defaults, reset[i]);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);

    error = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return error;
}
