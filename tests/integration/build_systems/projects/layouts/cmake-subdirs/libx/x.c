#include "../where.h"
#include "x.h"
extern const char *x_common(void);
const char *x_self(void) { return where((const void *)x_self); }
const char *x_sibling(void) { return x_common(); }
