#ifndef HELLO_H
#define HELLO_H
/* libhello.so.1: each project's own, in-tree shared library (it uses libgreet). */
void hello(void);
#endif
