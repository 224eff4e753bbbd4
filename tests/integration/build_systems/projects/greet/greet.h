#ifndef GREET_H
#define GREET_H
/* libgreet.so.1: the external library every fixture project uses. */
const char *greet_version(void);
void greet(const char *who);
#endif
