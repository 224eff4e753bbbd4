const char *x_self(void);
const char *x_sibling(void);
