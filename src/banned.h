/* banned.h — calls that are never right in hubgen, turned into compile errors.
 *
 * Include it last in every .c file. strcpy/strcat/sprintf overflow silently; strtok keeps
 * hidden global state (and hubgen renders on several threads); gmtime/localtime return a
 * pointer into static storage and localtime depends on the machine's time zone, which would
 * make output differ between machines. Use hg_buf, snprintf, and the calendar code in
 * value.c instead. */
#ifndef HG_BANNED_H
#define HG_BANNED_H

#define HG_BANNED(func) sorry_##func##_is_banned_in_hubgen

#undef strcpy
#define strcpy(x, y) HG_BANNED(strcpy)
#undef strcat
#define strcat(x, y) HG_BANNED(strcat)
#undef sprintf
#define sprintf(...) HG_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) HG_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) HG_BANNED(strtok)
#undef gmtime
#define gmtime(x) HG_BANNED(gmtime)
#undef localtime
#define localtime(x) HG_BANNED(localtime)

#endif
