// SPDX-License-Identifier: GPL-2.0
/*
 * pteref_plot.c - `pteref plot CSV`: a `pteref watch --csv` recording
 * drawn by gnuplot, as SVG or PNG: VmPTE, PTE tables and empty ones, and
 * PTE-table frees per second by path, over time.
 *
 * pteref checks the recording and hands gnuplot a script with the data
 * inline (a datablock): the drawing is gnuplot's, a renderer Debian
 * keeps, not code of ours.  "n/a" (no such path on this kernel) and "-"
 * (not counted) become NaN, which gnuplot leaves out; a path that is n/a
 * all along gets no line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pteref.h"

#define PLOT_MAX_COLS	32
#define NAME_CHARS	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
#define FREES_PREFIX	"frees_"
#define RATE_SUFFIX	"_per_s"

const char plot_usage[] =
"pteref plot CSV [-o OUT] [-t TITLE]\n"
"  Draw a 'pteref watch --csv' recording with gnuplot ($PTE_REF_GNUPLOT\n"
"  or gnuplot from $PATH): VmPTE, PTE tables and empty ones, and PTE\n"
"  tables freed per second by each path, against time.\n"
"  -o, --output OUT    OUT.svg or OUT.png (default: CSV's name, .svg)\n"
"  -t, --title TITLE   the plot's title (default: CSV's name)\n"
"  -h, --help          this help\n";

struct recording {
	char *buf;
	char *col[PLOT_MAX_COLS];
	size_t ncol;
	char ***row;		/* row[i][j]: field j of line i + 2 */
	size_t nrow;
	int time, vmpte, tables, empty;	/* column indexes */
	bool has_value[PLOT_MAX_COLS];	/* some row holds a number */
};

static int col_of(const struct recording *r, const char *name)
{
	size_t j;

	for (j = 0; j < r->ncol; j++)
		if (!strcmp(r->col[j], name))
			return j;
	return -1;
}

static bool is_frees_rate(const char *col)
{
	size_t n = strlen(col);

	return !strncmp(col, FREES_PREFIX, strlen(FREES_PREFIX)) &&
	       n > strlen(RATE_SUFFIX) &&
	       !strcmp(col + n - strlen(RATE_SUFFIX), RATE_SUFFIX);
}

/* Split line at commas into at most max fields; how many, or max + 1. */
static size_t split_commas(char *line, char **field, size_t max)
{
	size_t n = 0;

	for (;;) {
		if (n == max)
			return max + 1;
		field[n++] = line;
		line = strchr(line, ',');
		if (!line)
			return n;
		*line++ = '\0';
	}
}

static void rec_free(struct recording *r)
{
	size_t i;

	for (i = 0; i < r->nrow; i++)
		free(r->row[i]);
	free(r->row);
	free(r->buf);
}

/* EXIT_BAD_FILE after a one-line reason naming the file. */
static int rec_bad(struct recording *r, const char *file, size_t line,
		   const char *what, const char *field)
{
	if (line)
		pr_err("plot: %s line %zu: %s '%s'", file, line, what, field);
	else
		pr_err("plot: %s: %s", file, what);
	rec_free(r);
	return EXIT_BAD_FILE;
}

static int rec_read(struct recording *r, const char *file)
{
	char *line, *next, *f[PLOT_MAX_COLS + 1];
	size_t n, j, lineno = 1;

	memset(r, 0, sizeof(*r));
	r->buf = slurp(file, NULL);
	if (!r->buf) {
		pr_err("plot: %s: %s", file, strerror(errno));
		return EXIT_BAD_FILE;
	}
	next = strchr(r->buf, '\n');
	if (next)
		*next++ = '\0';
	r->ncol = split_commas(r->buf, r->col, PLOT_MAX_COLS);
	if (r->ncol > PLOT_MAX_COLS)
		return rec_bad(r, file, 1, "more columns than a recording has:",
			       r->buf);
	/* Column names go into the script as titles: plain words only. */
	for (j = 0; j < r->ncol; j++)
		if (!*r->col[j] || strspn(r->col[j], NAME_CHARS) != strlen(r->col[j]))
			return rec_bad(r, file, 1, "bad column name", r->col[j]);
	r->time = col_of(r, "time_s");
	r->vmpte = col_of(r, "vmpte_kb");
	r->tables = col_of(r, "pte_tables");
	r->empty = col_of(r, "empty_tables");
	if (r->time != 0 || r->vmpte < 0 || r->tables < 0 || r->empty < 0)
		return rec_bad(r, file, 0, "not a 'pteref watch --csv' recording "
			       "(its header must start with time_s and name "
			       "vmpte_kb, pte_tables and empty_tables)", NULL);
	while ((line = next) && *line) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line && (!next || !*next))
			break;		/* blank last line */
		if (!*line)
			return rec_bad(r, file, lineno, "empty line before",
				       next);
		n = split_commas(line, f, PLOT_MAX_COLS);
		if (n != r->ncol)
			return rec_bad(r, file, lineno, "want as many fields as "
				       "the header, got", line);
		for (j = 0; j < n; j++) {
			if (is_decimal(f[j])) {
				r->has_value[j] = true;
				continue;
			}
			if (j == 0 || (strcmp(f[j], "n/a") && strcmp(f[j], "-")))
				return rec_bad(r, file, lineno, "bad field", f[j]);
		}
		r->row = xrealloc(r->row, r->nrow + 1, sizeof(*r->row));
		r->row[r->nrow] = xrealloc(NULL, n, sizeof(char *));
		memcpy(r->row[r->nrow++], f, n * sizeof(char *));
	}
	if (!r->nrow)
		return rec_bad(r, file, 0, "no sample after the header", NULL);
	return 0;
}

/*
 * A gnuplot single-quoted string: a quote is doubled, nothing else is
 * special (no backslash escapes, no `command` substitution, as there
 * would be in double quotes).  A line break would end the command, so
 * plot() refuses control characters in what it quotes.
 */
static void gp_str(FILE *gp, const char *s)
{
	fputc('\'', gp);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', gp);
		fputc(*s, gp);
	}
	fputc('\'', gp);
}

static void gp_field(FILE *gp, const char *s)
{
	fputs(strcmp(s, "n/a") && strcmp(s, "-") ? s : "NaN", gp);
}

/* The script: three panels stacked, one x axis (seconds). */
static void gp_script(FILE *gp, const struct recording *r, const char *out,
		      bool png, const char *title)
{
	size_t i, j, k;
	int lines = 0;

	fprintf(gp, "set terminal %s size 960,900 noenhanced\n",
		png ? "png" : "svg");
	fputs("set output ", gp);
	gp_str(gp, out);
	fputs("\n$d << EOD\n", gp);
	for (i = 0; i < r->nrow; i++)
		for (j = 0; j < r->ncol; j++) {
			gp_field(gp, r->row[i][j]);
			fputc(j + 1 == r->ncol ? '\n' : ' ', gp);
		}
	fputs("EOD\n", gp);
	fputs("set multiplot layout 3,1 title ", gp);
	gp_str(gp, title);
	/* Fixed margins: the three panels' x axes line up. */
	fputs("\nset grid\nset key outside right top\n"
	      "set lmargin at screen 0.11\nset rmargin at screen 0.66\n"
	      "set style data linespoints\nset pointsize 0.5\n", gp);
	fprintf(gp, "set ylabel 'kB'\n"
		"plot $d using 1:%d title 'vmpte_kb' lw 2\n", r->vmpte + 1);
	fprintf(gp, "set ylabel 'PTE tables'\n"
		"plot $d using 1:%d title 'pte_tables' lw 2, "
		"$d using 1:%d title 'empty_tables' lw 2\n",
		r->tables + 1, r->empty + 1);
	fputs("set xlabel 'seconds'\nset ylabel 'frees per second'\nplot ", gp);
	for (k = 0; k < r->ncol; k++) {
		if (!is_frees_rate(r->col[k]) || !r->has_value[k])
			continue;
		fprintf(gp, "%s$d using 1:%zu lw 2 title ",
			lines++ ? ", " : "", k + 1);
		gp_str(gp, r->col[k]);
	}
	/* No path counted (counting off all along): a line at 0 says so. */
	if (!lines)
		fputs("$d using 1:(0) title 'no frees counted'", gp);
	fputs("\nunset multiplot\n", gp);
}

/* Run gnuplot with the script on its stdin; its exit code. */
static int gnuplot(const struct recording *r, const char *out, bool png,
		   const char *title)
{
	const char *bin = getenv("PTE_REF_GNUPLOT");
	int fd[2], status;
	bool wrote = false;
	FILE *gp;
	pid_t pid;

	if (!bin || !*bin)
		bin = "gnuplot";
	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (!pid) {
		/* gnuplot's stdout is ours only for its messages. */
		dup2(fd[0], STDIN_FILENO);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execlp(bin, bin, (char *)NULL);
		pr_err("plot: %s: %s (apt-get install gnuplot-nox)", bin,
		       strerror(errno));
		_exit(127);
	}
	close(fd[0]);
	/* A gnuplot that dies early must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	gp = fdopen(fd[1], "w");
	if (gp) {
		gp_script(gp, r, out, png, title);
		wrote = !ferror(gp);
		wrote &= !fclose(gp);
	} else {
		close(fd[1]);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (!WIFEXITED(status))
		return 128;
	/* gnuplot's own failure first: it explains a broken pipe. */
	return WEXITSTATUS(status) ? WEXITSTATUS(status) : wrote ? 0 : 128;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

static char *default_out(const char *csv)
{
	size_t n = strlen(csv);
	char *out;

	if (ends_with(csv, ".csv"))
		n -= strlen(".csv");
	out = xrealloc(NULL, n + sizeof(".svg"), 1);
	memcpy(out, csv, n);
	strcpy(out + n, ".svg");
	return out;
}

/* Draw into OUT.tmp.svg (or .png: gnuplot wants no other), then rename. */
static int plot(const char *csv, const char *out, const char *title)
{
	bool png = ends_with(out, ".png");
	size_t n = strlen(out) + sizeof(".tmp.svg");
	struct recording r;
	char *tmp;
	int ret;

	ret = rec_read(&r, csv);
	if (ret)
		return ret;
	tmp = xrealloc(NULL, n, 1);
	snprintf(tmp, n, "%s.tmp%s", out, png ? ".png" : ".svg");
	ret = gnuplot(&r, tmp, png, title);
	rec_free(&r);
	if (ret < 0)
		pr_err("plot: gnuplot: %s", strerror(errno));
	else if (ret && ret != 127)	/* 127: the child said why */
		pr_err("plot: gnuplot failed (exit %d)", ret);
	else if (!ret && rename(tmp, out))
		pr_err("plot: rename to %s: %s", out, strerror(errno));
	else if (!ret)
		goto done;
	unlink(tmp);
	ret = EXIT_RUNTIME;
done:
	free(tmp);
	return ret;
}

int cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *title = NULL;
	char *def = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "o:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 't':
			title = optarg;
			break;
		case 'h':
			fputs(plot_usage, stdout);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		pr_err("plot: which recording? (a 'pteref watch --csv' file)");
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		pr_err("plot: unexpected '%s'", argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (out && !ends_with(out, ".svg") && !ends_with(out, ".png")) {
		pr_err("plot: bad output '%s': want a name ending .svg or .png",
		       out);
		return EXIT_USAGE;
	}
	if (!out)
		out = def = default_out(argv[optind]);
	if (!title)
		title = argv[optind];
	if (has_control(out) || has_control(title)) {
		pr_err("plot: a control character in the %s",
		       has_control(out) ? "output name" : "title");
		free(def);
		return EXIT_USAGE;
	}
	ret = plot(argv[optind], out, title);
	free(def);
	return ret;
}
