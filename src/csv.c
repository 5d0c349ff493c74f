/* csv.c — RFC 4180 rows into a list of maps. */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

/* Reads one field at src[*i]; appends its text to f. Returns false on a quote that never
 * closes. *end_row says the field ended its row. */
static bool field(const char *src, size_t len, size_t *i, char sep, hg_buf *f, bool *end_row)
{
	hg_buf_reset(f);
	*end_row = false;
	size_t k = *i;
	if (k < len && src[k] == '"') {
		for (k++;; k++) {
			if (k >= len)
				return false;
			if (src[k] == '"') {
				if (k + 1 < len && src[k + 1] == '"') {
					hg_buf_addc(f, '"');
					k++;
					continue;
				}
				k++;
				break;
			}
			hg_buf_addc(f, src[k]);
		}
		/* anything between the closing quote and the separator is kept, as lenient readers do */
		while (k < len && src[k] != sep && src[k] != '\n' && src[k] != '\r')
			hg_buf_addc(f, src[k++]);
	} else {
		while (k < len && src[k] != sep && src[k] != '\n' && src[k] != '\r')
			hg_buf_addc(f, src[k++]);
	}
	if (k >= len || src[k] == '\n' || src[k] == '\r') {
		*end_row = true;
		if (k < len && src[k] == '\r')
			k++;
		if (k < len && src[k] == '\n')
			k++;
	} else {
		k++; /* the separator */
	}
	*i = k;
	return true;
}

hg_value *hg_csv_parse(hg_arena *a, const char *src, size_t len, char sep, const char *path, hg_diags *d)
{
	hg_value *list = hg_value_list(a);
	hg_value **header = NULL;
	size_t n_header = 0, cap = 0;
	hg_buf f = HG_BUF_INIT;
	size_t i = 0;
	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		i = 3;
	bool ok = true;
	while (i < len) {
		if (src[i] == '\n' || src[i] == '\r') { /* a blank line */
			i++;
			continue;
		}
		size_t row_start = i;
		hg_value *row = n_header ? hg_value_map(a) : NULL;
		size_t col = 0;
		bool end_row = false;
		while (!end_row) {
			if (i >= len) { /* "a,b," at the very end: one more, empty field */
				hg_buf_reset(&f);
				end_row = true;
			} else if (!field(src, len, &i, sep, &f, &end_row)) {
				unsigned line, c;
				hg_line_col(src, row_start, &line, &c);
				hg_error(d, path, line, c, "a quoted field of this row never ends");
				hg_diag_note(d, "hint: close it with '\"', and write a quote inside it as '\"\"'");
				ok = false;
				break;
			}
			hg_value *v = hg_value_string(a, f.ptr, f.len);
			if (!row) {
				HG_GROW(header, cap, n_header + 1);
				header[n_header++] = v;
			} else {
				const char *key = col < n_header ? header[col]->as.s.ptr : "";
				size_t kl = col < n_header ? header[col]->as.s.len : 0;
				hg_map_setn(a, row, key, kl, v);
			}
			col++;
		}
		if (!ok)
			break;
		if (row) {
			for (; col < n_header; col++)
				hg_map_setn(a, row, header[col]->as.s.ptr, header[col]->as.s.len, hg_value_cstr(a, ""));
			hg_list_push(a, list, row);
		}
	}
	free(header);
	hg_buf_release(&f);
	return ok ? list : NULL;
}
