# shellcheck shell=bash
# t13: `pteref export --prom` against the real module: Prometheus' text
# format (tests/helpers/promcheck), a layout process exported as the top
# mm with exactly its census, the counters as stats has them, and a
# reclaim's frees counted under path="forced".  Then `pteref plot` of a
# `pteref watch all --csv` recording under churn and reclaims: every
# recorded series drawn, each point where the CSV puts it
# (tests/helpers/plotcheck).

PROMCHECK=$TOP/tests/helpers/promcheck
PLOTCHECK=$TOP/tests/helpers/plotcheck
# prom FILE SERIES: the value of one series.
prom() { K=$2 awk '$1 == ENVIRON["K"] { print $2 }' "$1"; }

fills=$(printf '0,%.0s' $(seq 40))7
if start_bg lo lpid "$PTESTRESS" layout --fills "$fills"; then
	"$PTEREF" export --prom --top 1 -o /tmp/t13.prom
	eq "export --prom -o: exit 0" "$?" 0
	c=$(census "$lpid")
	r=$(sed -n 's/^ok families=[0-9]* samples=[0-9]*$/ok/p' <(${PROMCHECK} /tmp/t13.prom))
	eq "export: valid text format (promcheck)" "$r" ok
	comm=$(cat /proc/"$lpid"/comm)
	sel="{pid=\"$lpid\",comm=\"$comm\"}"
	eq "export --top 1: the layout (40 empty tables) is the top mm, as its census says" \
		"$(prom /tmp/t13.prom "pte_ref_mm_pte_tables$sel") $(prom /tmp/t13.prom "pte_ref_mm_empty_pte_tables$sel") $(prom /tmp/t13.prom "pte_ref_mm_empty_pte_table_bytes$sel") $(prom /tmp/t13.prom "pte_ref_mm_present_ptes$sel")" \
		"$(kv pte_tables <<<"$c") 40 $((40 * 4096)) $(kv present <<<"$c")"
	eq "export --top 1: one mm" "$(grep -c '^pte_ref_mm_pte_tables{' /tmp/t13.prom)" 1
	check "export: machine totals at least the layout's" \
		test "$(prom /tmp/t13.prom pte_ref_empty_pte_tables)" -ge 40
	eq "export: info labels as info says" \
		"$(prom /tmp/t13.prom "pte_ref_info{version=\"$(kv version <"$D/info")\",kernel=\"$(uname -r)\",flavor=\"$(kv flavor <"$D/info")\"}")" 1
	f0=$(kv frees_forced <"$D/stats")
	eq "export: forced frees as stats has them" \
		"$(prom /tmp/t13.prom 'pte_ref_pte_table_frees_total{path="forced"}')" "$f0"
	if grep -qx "reclaim available" "$D/info"; then
		"$WR" "$D/reclaim" "$lpid" >/dev/null
		"$PTEREF" export --prom --top 0 >/tmp/t13.prom
		eq "export after a reclaim of the layout: path=\"forced\" up by exactly 40" \
			"$(($(prom /tmp/t13.prom 'pte_ref_pte_table_frees_total{path="forced"}') - f0))" 40
		eq "export after the reclaim: the layout has no empty table left" \
			"$(prom /tmp/t13.prom "pte_ref_mm_empty_pte_tables$sel")" 0
	else
		skip "export after a reclaim" "$(grep '^reclaim ' "$D/info")"
	fi
	stop_bg "$lpid"
else
	not_ok "ptestress layout --fills runs"
fi
"$PTEREF" export --top 1 >/dev/null 2>/tmp/t13.err
eq "export without --prom: exit 2, a reason" "$? $(grep -c '^pteref: ' /tmp/t13.err)" "2 1"

# --- plot ------------------------------------------------------------------
if ! command -v gnuplot >/dev/null; then
	skip "pteref plot" "no gnuplot (scripts/setup installs gnuplot-nox)"
elif start_bg co cpid "$PTESTRESS" churn --threads 1 --seconds 20 --interval 0 -k 4; then
	"$PTEREF" watch all --csv -i 1 --count 6 --on >/tmp/t13.csv 2>/dev/null &
	wpid=$!
	# After watch's first read: 8 empty tables for the first reclaim
	# (churn's own are empty only between a MADV_DONTNEED and a write).
	sleep 1.5
	start_bg lo lpid "$PTESTRESS" layout --fills 0,0,0,0,0,0,0,0 || not_ok "ptestress layout runs"
	for i in 1 2 3 4; do
		"$WR" "$D/reclaim" all >/dev/null
		sleep 1
	done
	wait "$wpid"
	stop_bg "$lpid"
	stop_bg "$cpid"
	eq "watch all --csv --count 6: 6 lines" "$(($(wc -l </tmp/t13.csv) - 1))" 6
	"$PTEREF" plot /tmp/t13.csv -o /tmp/t13.svg -t "ptestress churn, reclaim all every second"
	eq "plot: exit 0" "$?" 0
	# Each frees column with a number in it is a series; n/a ones are not.
	want="vmpte_kb pte_tables empty_tables $(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next }
		{ for (i = 1; i <= NF; i++) if (h[i] ~ /^frees_.*_per_s$/ && $i ~ /^[0-9.]+$/) f[i] = 1 }
		END { for (i = 1; i in h; i++) if (i in f) printf "%s ", h[i] }' /tmp/t13.csv)"
	out=$("$PLOTCHECK" /tmp/t13.svg /tmp/t13.csv)
	eq "plot: every recorded series in the SVG, each point where the CSV puts it" \
		"$(sed -n 's/^series //p' <<<"$out") $(head -n 1 <<<"$out" | cut -d' ' -f1-2)" "${want% } ok svg"
	check "the recording shows the forced frees: frees_forced_per_s > 0 once" \
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "frees_forced_per_s") c = i; next }
			 $c > 0 { f = 1 } END { exit !f }' /tmp/t13.csv
else
	not_ok "ptestress churn runs"
fi
rm -f /tmp/t13.prom /tmp/t13.err /tmp/t13.csv /tmp/t13.svg
