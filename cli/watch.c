/* llmops watch FILE...: the console following growing files. */
#include "cli.h"

int cmd_watch(ctx_t *x)
{
	if (!x->a.npos)
		cli_die_usage("watch: give the files to follow (llmops watch FILE...)");
	return cli_console_files(x, "dashboard", (const char *const *)x->a.pos, x->a.npos);
}
