/* C interface of trim-sweep's model, for in-process use from other languages (the Python
 * package python/trim loads it with ctypes). Built as the shared library libtrim.so
 * (build/lib/). A job is parsed once into a handle; design points are addressed by their index
 * in the job's design space, exactly as in the results file and trim-eval.
 *
 * Strings returned by the library are malloc'd, UTF-8, and freed with trim_free(). Results
 * are JSON text whose numbers are printed with 17 significant digits, so that they read back
 * as the exact doubles the model computed (bitwise equal to the results file's columns).
 * On failure a function returns NULL (or 0) and, when `error` is not NULL, stores the message
 * (the same "file:line:column: error: ...\n  hint: ..." text the command-line tools print).
 * A handle may be used from one thread at a time; distinct handles are independent. */
#ifndef TRIM_CAPI_H
#define TRIM_CAPI_H

#include <stdint.h>

#if defined(__GNUC__)
#define TRIM_API __attribute__((visibility("default")))
#else
#define TRIM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct trim_job trim_job;

/* The library's version ("0.1.0+<git describe>"). Static; do not free. */
TRIM_API const char* trim_version(void);

/* Reads the job file at `path`. `config_dir` (NULL: the build's configs/) holds the hardware
 * and energy presets. Relative paths inside the job are relative to its directory. */
TRIM_API trim_job* trim_job_load(const char* path, const char* config_dir, char** error);

/* Parses job text held in memory. `path` names it in messages, and relative paths inside it
 * (hardware, network files) are resolved against its directory. */
TRIM_API trim_job* trim_job_parse(const char* text, const char* path, const char* config_dir,
                                  char** error);

TRIM_API void trim_job_free(trim_job* job);

/* Number of design points (0 for a NULL handle). */
TRIM_API uint64_t trim_job_size(const trim_job* job);

/* The axes of the design space, fastest first, as JSON: [{"name": ..., "values": [...] or
 * "labels": [...], "linked_to": name or null}, ...]. */
TRIM_API char* trim_job_axes(const trim_job* job, char** error);

/* The design point `index` as JSON: {"index": i, "point": {axis: value or label, ...}}. */
TRIM_API char* trim_job_decode(const trim_job* job, uint64_t index, char** error);

/* Evaluates design point `index`: JSON {"index", "point", "status", "energy_units",
 * "layers": [{layer, kind, phase, dataflow, macs, cycles, latency_s, ..., fused, status}, ...],
 * "failure": {fail_layer, fail_layer_name, fail_phase, fail_need_bytes, fail_have_bytes},
 * "totals": {every float results column}} (the columns of trim-eval --format json). */
TRIM_API char* trim_job_evaluate(const trim_job* job, uint64_t index, char** error);

TRIM_API void trim_free(char* p);

#ifdef __cplusplus
}
#endif

#endif /* TRIM_CAPI_H */
