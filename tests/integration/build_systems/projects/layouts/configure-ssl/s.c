#include "where.h"
extern const char *k_where(void);
const char *s_where(void) { return where((const void *)s_where); }
const char *s_sibling(void) { return k_where(); }
