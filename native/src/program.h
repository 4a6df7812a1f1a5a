/* The program to run: a readable, statically linked ELF for this machine. */
#ifndef SR_PROGRAM_H
#define SR_PROGRAM_H
#include <stddef.h>

/* Opens path (O_CLOEXEC) and checks it. Returns the descriptor, or -1 with a
 * message for a person in msg. The descriptor is what gets executed, so the
 * file checked is the file run. */
int sr_open_program(const char *path, char *msg, size_t msglen);

#endif
