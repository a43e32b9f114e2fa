#ifndef ORANGE_CLINUX_SHIM_H
#define ORANGE_CLINUX_SHIM_H
// Linux calls Swift's Glibc module does not show (it is built without _GNU_SOURCE): memfd_create
// and passing a descriptor over a Unix socket (SCM_RIGHTS, whose CMSG_* macros Swift cannot use).
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define ORANGE_MFD_CLOEXEC 1U
#define ORANGE_MFD_ALLOW_SEALING 2U
#define ORANGE_F_ADD_SEALS 1033
#define ORANGE_F_GET_SEALS 1034
#define ORANGE_F_SEAL_SEAL 1
#define ORANGE_F_SEAL_SHRINK 2
#define ORANGE_F_SEAL_GROW 4
#define ORANGE_F_SEAL_WRITE 8
#define ORANGE_F_SETPIPE_SZ 1031
#define ORANGE_F_GETPIPE_SZ 1032
#define ORANGE_MSG_CMSG_CLOEXEC 0x40000000

static inline int orange_memfd_create(const char *name, unsigned int flags) {
    return (int)syscall(SYS_memfd_create, name, flags);
}

/// A message of one buffer and a zeroed control area of `room` bytes.
static inline struct msghdr orange_message(struct iovec *vector, void *control, size_t room) {
    memset(control, 0, room);
    struct msghdr message;
    memset(&message, 0, sizeof message);
    message.msg_iov = vector;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = room;
    return message;
}

/// The most descriptors one message carries (the kernel's SCM_MAX_FD).
#define ORANGE_MOST_DESCRIPTORS 253

/// sendmsg of `length` bytes with `count` descriptors (at most ORANGE_MOST_DESCRIPTORS)
/// attached to them (SCM_RIGHTS).
static inline ssize_t orange_send_with_descriptors(int socket, const void *bytes, size_t length, const int *descriptors, size_t count) {
    struct iovec vector = {(void *)bytes, length};
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int) * ORANGE_MOST_DESCRIPTORS)];
    } control;
    if (count == 0 || count > ORANGE_MOST_DESCRIPTORS) return -1;
    struct msghdr message = orange_message(&vector, control.space, CMSG_SPACE(sizeof(int) * count));
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int) * count);
    memcpy(CMSG_DATA(header), descriptors, sizeof(int) * count);
    return sendmsg(socket, &message, MSG_NOSIGNAL);
}

/// recvmsg of up to `capacity` bytes. Descriptors that came with them are received close-on-exec
/// and appended to `descriptors` while `*count` is below `room`; any other is closed at once.
static inline ssize_t orange_receive_with_descriptors(int socket, void *bytes, size_t capacity, int *descriptors, size_t room, size_t *count) {
    struct iovec vector = {bytes, capacity};
    union {
        struct cmsghdr header;
        char space[CMSG_SPACE(sizeof(int) * ORANGE_MOST_DESCRIPTORS)];
    } control;
    struct msghdr message = orange_message(&vector, control.space, sizeof control.space);
    ssize_t received_bytes = recvmsg(socket, &message, ORANGE_MSG_CMSG_CLOEXEC);
    if (received_bytes < 0) return received_bytes;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        size_t received = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t index = 0; index < received; index++) {
            int fd;
            memcpy(&fd, CMSG_DATA(header) + index * sizeof(int), sizeof(int));
            if (*count < room) {
                descriptors[(*count)++] = fd;
            } else {
                close(fd);
            }
        }
    }
    return received_bytes;
}

#endif
