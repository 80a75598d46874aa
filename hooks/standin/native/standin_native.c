/*
 * The stand-in's native library: a fake of bionic's system-property API (glibc has none) and the
 * JNI methods of com.igexin.push.core.NativeProbe. Properties come from the file named by the
 * STANDIN_BUILD_PROP environment variable or, failing that, ../system/build.prop next to this
 * library's build directory (hooks/standin/system/build.prop). prop_info has bionic's layout
 * (serial, value[92], name[]), so a hook on __system_property_read_callback reads it the same way
 * on Android and here.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <jni.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROP_VALUE_MAX 92
#define MAX_PROPS 128

typedef struct prop_info {
    unsigned int serial;
    char value[PROP_VALUE_MAX];
    char name[96];
} prop_info;

static prop_info props[MAX_PROPS];
static int n_props = -1;
static pthread_mutex_t props_lock = PTHREAD_MUTEX_INITIALIZER;

static void load_props(void) {
    char path[4096];
    const char *env = getenv("STANDIN_BUILD_PROP");
    if (env != NULL) {
        snprintf(path, sizeof path, "%s", env);
    } else {
        Dl_info info;
        path[0] = 0;
        if (dladdr((void *)load_props, &info) && info.dli_fname != NULL) {
            /* .../hooks/standin/build/out/lib/libstandin_native.so -> .../hooks/standin/system/build.prop */
            char *copy = strdup(info.dli_fname);
            for (int up = 0; up < 4; up++) {
                char *slash = strrchr(copy, '/');
                if (slash != NULL) *slash = 0;
            }
            snprintf(path, sizeof path, "%s/system/build.prop", copy);
            free(copy);
        }
    }
    n_props = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    char line[512];
    while (n_props < MAX_PROPS && fgets(line, sizeof line, f) != NULL) {
        char *eq = strchr(line, '=');
        if (line[0] == '#' || eq == NULL) continue;
        *eq = 0;
        char *value = eq + 1;
        value[strcspn(value, "\r\n")] = 0;
        prop_info *pi = &props[n_props++];
        pi->serial = (unsigned int)(strlen(value) << 24);
        snprintf(pi->name, sizeof pi->name, "%s", line);
        snprintf(pi->value, sizeof pi->value, "%s", value);
    }
    fclose(f);
}

const prop_info *__system_property_find(const char *name) {
    pthread_mutex_lock(&props_lock);
    if (n_props < 0) load_props();
    pthread_mutex_unlock(&props_lock);
    for (int i = 0; i < n_props; i++) {
        if (strcmp(props[i].name, name) == 0) return &props[i];
    }
    return NULL;
}

int __system_property_get(const char *name, char *value) {
    const prop_info *pi = __system_property_find(name);
    if (pi == NULL) {
        value[0] = 0;
        return 0;
    }
    strcpy(value, pi->value);
    return (int)strlen(value);
}

void __system_property_read_callback(const prop_info *pi,
                                     void (*callback)(void *cookie, const char *name, const char *value, unsigned int serial),
                                     void *cookie) {
    callback(cookie, pi->name, pi->value, pi->serial);
}

JNIEXPORT jstring JNICALL Java_com_igexin_push_core_NativeProbe_systemProperty(JNIEnv *env, jclass cls, jstring key) {
    const char *name = (*env)->GetStringUTFChars(env, key, NULL);
    char value[PROP_VALUE_MAX];
    __system_property_get(name, value);
    (*env)->ReleaseStringUTFChars(env, key, name);
    return (*env)->NewStringUTF(env, value);
}

struct work {
    char key[96];
    char path[512];
    char result[PROP_VALUE_MAX + 256];
};

static void on_property(void *cookie, const char *name, const char *value, unsigned int serial) {
    (void)name;
    (void)serial;
    snprintf((char *)cookie, PROP_VALUE_MAX, "%s", value);
}

static void *collect(void *arg) {
    struct work *w = arg;
    char value[PROP_VALUE_MAX] = "";
    const prop_info *pi = __system_property_find(w->key);
    if (pi != NULL) __system_property_read_callback(pi, on_property, value);
    char line[256] = "";
    int fd = open(w->path, O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, line, sizeof line - 1);
        line[n > 0 ? n : 0] = 0;
        line[strcspn(line, "\r\n")] = 0;
        close(fd);
    }
    snprintf(w->result, sizeof w->result, "%s|%s", value, line);
    return NULL;
}

JNIEXPORT jstring JNICALL Java_com_igexin_push_core_NativeProbe_readOnNativeThread(JNIEnv *env, jclass cls, jstring key, jstring path) {
    struct work w;
    memset(&w, 0, sizeof w);
    const char *k = (*env)->GetStringUTFChars(env, key, NULL);
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    snprintf(w.key, sizeof w.key, "%s", k);
    snprintf(w.path, sizeof w.path, "%s", p);
    (*env)->ReleaseStringUTFChars(env, key, k);
    (*env)->ReleaseStringUTFChars(env, path, p);
    pthread_t thread;
    if (pthread_create(&thread, NULL, collect, &w) != 0) return NULL;
    pthread_join(thread, NULL);
    return (*env)->NewStringUTF(env, w.result);
}
