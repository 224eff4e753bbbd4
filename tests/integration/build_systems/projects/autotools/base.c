/* libgreetbase: a second in-tree libtool library; libhello depends on it. */
#include <greet.h>

void greetbase(const char *who) { greet(who); }
