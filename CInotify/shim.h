#ifndef ORANGE_CINOTIFY_SHIM_H
#define ORANGE_CINOTIFY_SHIM_H
#include <sys/inotify.h>
#endif
