/* Shared by the ClickHouse modules (ch.c, ch_schema.c, ch_write.c). */
#ifndef LLMOPS_CH_INTERNAL_H
#define LLMOPS_CH_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "ch.h"

typedef struct ch_wbuf ch_wbuf;

/* The tables of the schema, by their plain (or Distributed) names. */
#define CH_NTABLES 15
extern const char *const ch_tables[CH_NTABLES];

struct ch_conn {
	char *user, *host, *db, *cluster;
	int port, secure;
	char *password;           /* secret_free'd */
	char display[512];        /* the URL without any secret */
	char where[400];          /* USER@HOST:PORT, for messages */
	char version[64];
	int major, modern;
	int use_db;               /* requests name the database */
	int timeout_s;
	int retention_days;
	unsigned long nonce;      /* query ids differ between processes and connections */
	atomic_ulong seq;
	void *curl;               /* CURL *, kept alive between queries */
	pthread_mutex_t mu;       /* guards running, running_seq */
	char running[96];         /* the query id under way, "" none */
	unsigned long running_seq; /* its number, 0 none */
	atomic_ulong cancel_seq;  /* the number of the query cancelled last */
	ch_wbuf *w;               /* rows not yet sent (ch_write.c) */
	char local_q[CH_NTABLES][160]; /* DB.TABLE_local under a cluster */
};

void ch_seterr(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int ch_gzip(const char *data, size_t len, sbuf *out);
/* A read-only connection: the schema must be there, at this version. */
int ch_schema_check(ch_conn *c, char *err, size_t errlen);
void ch_write_free(ch_conn *c);

#endif
