#include <stdio.h>
extern const char *s_where(void);
extern const char *s_sibling(void);
int main(void) {
    printf("libs %s\nlibk %s\n", s_where(), s_sibling());
    return 0;
}
