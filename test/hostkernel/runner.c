// Host-kernel runner for the bpfwasm comparison suite.
//
// Loads ONE program into the running Linux kernel and, where the program type supports it,
// runs it once with BPF_PROG_TEST_RUN. It never attaches anything. Output is one JSON object
// on stdout so the TypeScript suite can compare it with bpfwasm's own verdict and results.
//
//   runner obj FILE PROG [--ctx-in HEX] [--data-in HEX] [--repeat N] [--map NAME]...
//   runner insns HEX TYPE [--ctx-in HEX] [--data-in HEX]      (raw instructions, no BTF)
//   runner batch      (stdin: one `HEX TYPE [DATAHEX|-]` per line; one JSON line out per line)
//
// TYPE for raw instructions: socket_filter | xdp | sched_cls | syscall.
// Exit code: 0 when a JSON verdict was printed (accepted or rejected), 2 on usage errors.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define LOG_SIZE (16 * 1024 * 1024)
#define MAX_MAPS 16

static char *log_buf;
static char libbpf_msgs[65536];

static void json_str(const char *s) {
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') printf("\\%c", c);
		else if (c == '\n') fputs("\\n", stdout);
		else if (c == '\t') fputs("\\t", stdout);
		else if (c < 0x20) printf("\\u%04x", c);
		else putchar(c);
	}
	putchar('"');
}

static void json_hex(const unsigned char *p, size_t n) {
	putchar('"');
	for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
	putchar('"');
}

static int unhex(const char *s, unsigned char **out, size_t *len) {
	size_t n = strlen(s);
	if (n % 2) return -1;
	*out = calloc(n / 2 + 1, 1);
	*len = n / 2;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(s + 2 * i, "%2x", &v) != 1) return -1;
		(*out)[i] = (unsigned char)v;
	}
	return 0;
}

static long long now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// The verifier's closing statistics, read from the log as users see them.
static long long processed_insns(const char *log) {
	const char *p = log ? strstr(log, "processed ") : NULL;
	const char *last = NULL;
	while (p) { last = p; p = strstr(p + 1, "processed "); }
	return last ? atoll(last + 10) : -1;
}

static int supports_test_run(enum bpf_prog_type t) {
	switch (t) {
	case BPF_PROG_TYPE_SOCKET_FILTER: case BPF_PROG_TYPE_SCHED_CLS: case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_XDP: case BPF_PROG_TYPE_SYSCALL: case BPF_PROG_TYPE_RAW_TRACEPOINT:
	case BPF_PROG_TYPE_CGROUP_SKB: case BPF_PROG_TYPE_LWT_IN: case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT: case BPF_PROG_TYPE_FLOW_DISSECTOR: case BPF_PROG_TYPE_SK_LOOKUP:
		return 1;
	default:
		return 0;
	}
}

struct run_args { unsigned char *ctx_in, *data_in; size_t ctx_len, data_len; int repeat; };

static void test_run(int fd, enum bpf_prog_type type, struct run_args *a) {
	if (!supports_test_run(type)) { printf(",\"test_run\":\"unsupported\""); return; }
	unsigned char data_out[65536], ctx_out[4096];
	LIBBPF_OPTS(bpf_test_run_opts, o);
	// syscall programs refuse any repeat (EINVAL); 0 means one run for every type.
	o.repeat = a->repeat > 1 ? a->repeat : 0;
	if (a->data_in) { o.data_in = a->data_in; o.data_size_in = a->data_len; o.data_out = data_out; o.data_size_out = sizeof(data_out); }
	if (a->ctx_in) { o.ctx_in = a->ctx_in; o.ctx_size_in = a->ctx_len; o.ctx_out = ctx_out; o.ctx_size_out = sizeof(ctx_out); }
	int err = bpf_prog_test_run_opts(fd, &o);
	if (err) { printf(",\"test_run\":\"error\",\"test_run_errno\":%d", errno); return; }
	printf(",\"test_run\":\"ok\",\"retval\":%u,\"duration_ns\":%u", o.retval, o.duration);
	if (a->data_in) { printf(",\"data_out\":"); json_hex(data_out, o.data_size_out); }
	if (a->ctx_in) { printf(",\"ctx_out\":"); json_hex(ctx_out, o.ctx_size_out); }
}

static void dump_map(struct bpf_map *m) {
	int fd = bpf_map__fd(m);
	unsigned ks = bpf_map__key_size(m), vs = bpf_map__value_size(m);
	enum bpf_map_type t = bpf_map__type(m);
	int ncpu = libbpf_num_possible_cpus();
	int percpu = t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	size_t vlen = percpu ? (size_t)((vs + 7) / 8 * 8) * ncpu : vs;
	unsigned char *key = calloc(ks ? ks : 1, 1), *next = calloc(ks ? ks : 1, 1), *val = calloc(vlen, 1);
	printf("{\"name\":"); json_str(bpf_map__name(m)); printf(",\"entries\":[");
	int first = 1, have = 0;
	while (bpf_map_get_next_key(fd, have ? key : NULL, next) == 0) {
		memcpy(key, next, ks); have = 1;
		if (bpf_map_lookup_elem(fd, key, val)) continue;
		printf("%s[", first ? "" : ","); first = 0;
		json_hex(key, ks); putchar(',');
		json_hex(val, percpu ? vs : vlen); // CPU 0's value for per-CPU maps
		putchar(']');
	}
	printf("]}");
	free(key); free(next); free(val);
}

static int parse_run_args(int argc, char **argv, int i, struct run_args *a, const char **maps, int *nmaps) {
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--ctx-in") && i + 1 < argc) { if (unhex(argv[++i], &a->ctx_in, &a->ctx_len)) return -1; }
		else if (!strcmp(argv[i], "--data-in") && i + 1 < argc) { if (unhex(argv[++i], &a->data_in, &a->data_len)) return -1; }
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) a->repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--map") && i + 1 < argc && maps && *nmaps < MAX_MAPS) maps[(*nmaps)++] = argv[++i];
		else return -1;
	}
	return 0;
}

static void print_verdict(int ok, int err, long long t_ns) {
	printf("{\"loaded\":%s", ok ? "true" : "false");
	if (!ok) printf(",\"errno\":%d", err);
	printf(",\"processed_insns\":%lld,\"verification_ns\":%lld,\"log\":", processed_insns(log_buf), t_ns);
	json_str(log_buf);
	if (!ok && libbpf_msgs[0]) { printf(",\"libbpf\":"); json_str(libbpf_msgs); }
}

// libbpf's own messages explain failures before verification (map creation, relocation);
// collect them so they can be reported in the JSON.
static int collect(enum libbpf_print_level l, const char *f, va_list ap) {
	if (l == LIBBPF_DEBUG) return 0;
	size_t n = strlen(libbpf_msgs);
	if (n < sizeof(libbpf_msgs) - 1) vsnprintf(libbpf_msgs + n, sizeof(libbpf_msgs) - n, f, ap);
	return 0;
}

static int run_obj(int argc, char **argv) {
	struct run_args a = {0};
	const char *maps[MAX_MAPS]; int nmaps = 0;
	if (argc < 4 || parse_run_args(argc, argv, 4, &a, maps, &nmaps)) return 2;
	// First only the target (its verdict alone); if the object cannot load that way because a
	// map slot names another program (prog_array `values`), load every program.
	struct bpf_object *obj = NULL;
	struct bpf_program *target = NULL;
	long long t0 = 0, t1 = 0;
	int err = 0;
	for (int all = 0; all < 2; all++) {
		if (obj) bpf_object__close(obj);
		libbpf_msgs[0] = 0;
		log_buf[0] = 0;
		obj = bpf_object__open_file(argv[2], NULL);
		if (!obj) { printf("{\"loaded\":false,\"open_error\":%d,\"log\":\"\",\"processed_insns\":-1,\"verification_ns\":0,\"libbpf\":", errno); json_str(libbpf_msgs); printf("}\n"); return 0; }
		struct bpf_program *p;
		target = NULL;
		bpf_object__for_each_program(p, obj) {
			if (!strcmp(bpf_program__name(p), argv[3])) target = p;
			bpf_program__set_autoload(p, all || !strcmp(bpf_program__name(p), argv[3]));
		}
		if (!target) { fprintf(stderr, "runner: no program named %s\n", argv[3]); return 2; }
		// Never pin: the suite must leave nothing behind in /sys/fs/bpf.
		struct bpf_map *m;
		bpf_object__for_each_map(m, obj) bpf_map__set_pin_path(m, NULL);
		bpf_program__set_log_buf(target, log_buf, LOG_SIZE);
		bpf_program__set_log_level(target, 1 | 4);
		t0 = now_ns();
		err = bpf_object__load(obj);
		t1 = now_ns();
		if (!err || !strstr(libbpf_msgs, "failed to initialize slot")) break;
	}
	print_verdict(err == 0, err ? -err : 0, t1 - t0);
	if (!err) {
		test_run(bpf_program__fd(target), bpf_program__type(target), &a);
		printf(",\"maps\":[");
		for (int i = 0; i < nmaps; i++) {
			struct bpf_map *m = bpf_object__find_map_by_name(obj, maps[i]);
			if (i) putchar(',');
			if (m) dump_map(m); else { printf("{\"name\":"); json_str(maps[i]); printf(",\"missing\":true}"); }
		}
		putchar(']');
	}
	printf("}\n");
	bpf_object__close(obj);
	return 0;
}

static int run_insns(int argc, char **argv) {
	struct run_args a = {0};
	unsigned char *code; size_t len;
	if (argc < 4 || unhex(argv[2], &code, &len) || len % 8 || parse_run_args(argc, argv, 4, &a, NULL, NULL)) return 2;
	enum bpf_prog_type type;
	if (!strcmp(argv[3], "socket_filter")) type = BPF_PROG_TYPE_SOCKET_FILTER;
	else if (!strcmp(argv[3], "xdp")) type = BPF_PROG_TYPE_XDP;
	else if (!strcmp(argv[3], "sched_cls")) type = BPF_PROG_TYPE_SCHED_CLS;
	else if (!strcmp(argv[3], "syscall")) type = BPF_PROG_TYPE_SYSCALL;
	else return 2;
	LIBBPF_OPTS(bpf_prog_load_opts, o, .log_buf = log_buf, .log_size = LOG_SIZE, .log_level = 1 | 4);
	if (type == BPF_PROG_TYPE_SYSCALL) o.prog_flags = BPF_F_SLEEPABLE;
	long long t0 = now_ns();
	int fd = bpf_prog_load(type, "case", "GPL", (const struct bpf_insn *)code, len / 8, &o);
	long long t1 = now_ns();
	print_verdict(fd >= 0, fd < 0 ? errno : 0, t1 - t0);
	if (fd >= 0) { test_run(fd, type, &a); close(fd); }
	printf("}\n");
	return 0;
}

// Many raw-instruction cases in one process: spawning a runner per case would dominate the
// suite's time for thousands of instruction cases.
static int run_batch(void) {
	static char line[1 << 20];
	while (fgets(line, sizeof(line), stdin)) {
		char *argv[8] = { "runner", "insns" };
		int argc = 2;
		for (char *tok = strtok(line, " \t\n"); tok && argc < 6; tok = strtok(NULL, " \t\n")) {
			argv[argc++] = tok;
			if (argc == 4) { argv[argc++] = "--data-in"; }
		}
		if (argc == 5 || (argc == 6 && !strcmp(argv[5], "-"))) argc = 4;
		memset(log_buf, 0, 4096);
		if (argc < 4 || run_insns(argc, argv) == 2) printf("{\"usage_error\":true}\n");
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv) {
	libbpf_set_print(collect);
	log_buf = calloc(LOG_SIZE, 1);
	int rc = 2;
	if (argc >= 2 && !strcmp(argv[1], "obj")) rc = run_obj(argc, argv);
	else if (argc >= 2 && !strcmp(argv[1], "insns")) rc = run_insns(argc, argv);
	else if (argc == 2 && !strcmp(argv[1], "batch")) rc = run_batch();
	if (rc == 2) fprintf(stderr, "usage: runner obj FILE PROG [--ctx-in HEX] [--data-in HEX] [--repeat N] [--map NAME]...\n"
	                            "       runner insns HEX TYPE [--ctx-in HEX] [--data-in HEX]\n");
	return rc;
}
