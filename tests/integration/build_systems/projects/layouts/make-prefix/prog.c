#include <stdio.h>
extern const char *m1_where(void);
int main(void) {
    printf("libm1 %s\n", m1_where());
    return 0;
}
