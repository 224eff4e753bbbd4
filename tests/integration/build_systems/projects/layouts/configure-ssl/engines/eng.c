extern const char *k_where(void);
const char *eng_libk(void) { return k_where(); }
