/* The program to run: a readable, statically linked ELF for this machine. */
#ifndef SR_PROGRAM_H
#define SR_PROGRAM_H
#include <stddef.h>
#include <sys/stat.h>

/* Opens path (O_CLOEXEC) and checks it. Returns the descriptor, or -1 with a
 * message for a person in msg. The descriptor is what gets executed, so the
 * file checked is the file run. Symbolic links are followed. */
int sr_open_program(const char *path, char *msg, size_t msglen);

/* Opens path for reading if it is a regular file: looked at first through
 * an O_PATH descriptor (a FIFO, device, directory or socket is refused by
 * name and never opened, so nothing blocks), then reopened and required to
 * be the same inode. nofollow: a symbolic link as the last component is
 * refused too. label names the file in msg ("program /p"). st: its stat. */
int sr_open_regular(const char *path, int nofollow, const char *label, struct stat *st, char *msg, size_t msglen);

/* What would make the exec of the regular file fd (st: its fstat) fail, or
 * the program fail for want of what the sandbox lacks: 0, or -1 with msg
 * (label names the file). */
int sr_check_elf(int fd, const struct stat *st, const char *label, char *msg, size_t msglen);

#endif
