# charts.gp: the SVG charts of docs/benchmarks.md, drawn from report.py's .dat files.
# Usage: gnuplot -e "datadir='DIR'; outdir='DIR'" charts.gp  (DIR/vars.gp sets ncol, ntargets)
load datadir.'/vars.gp'

set terminal svg size 1150,560 dynamic font "sans,11" background rgb "white"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics lc rgb "#dddddd"
set xtics rotate by -35 left nomirror
set key top right
set logscale y
set format y "%.0s%c"
set bmargin 8
set rmargin 12

# The answer chart: FastCGI and CGI req/s of the same app endpoints (summary.py: answer.dat).
if (exists("nanswer") && nanswer > 0) {
  set output outdir.'/answer.svg'
  set title "Same app, two ways: FastCGI worker vs CGI program (requests per second, median)"
  set ylabel "req/s"
  unset logscale y
  set yrange [0:*]
  set format y "%.0s%c"
  set xtics norotate nomirror
  set bmargin 3
  plot datadir.'/answer.dat' using 2:xtic(1) title columnhead(2) lc rgb "#228833", \
       '' using 3 title columnhead(3) lc rgb "#cc3311"
  set xtics rotate by -35 left nomirror
  set bmargin 8
  set logscale y
  set yrange [*:*]
}

set output outdir.'/throughput.svg'
set title "Requests per second (median), by target and wrk connections — log scale"
set ylabel "req/s"
plot for [i=2:ncol] datadir.'/throughput.dat' using i:xtic(1) title columnhead(i)

set output outdir.'/p99.svg'
set title "p99 latency (median of the repetitions), lower is better — log scale"
set ylabel "ms"
set format y "%g"
plot for [i=2:ncol] datadir.'/p99.dat' using i:xtic(1) title columnhead(i)

set output outdir.'/rss.svg'
unset logscale y
set yrange [0:*]
set title "RSS per worker process after the runs (MiB)"
set ylabel "MiB"
set key off
plot datadir.'/rss.dat' using 2:xtic(1) title columnhead(2) lc rgb "#4477aa"

# Every FastCGI target's req/s over the limit-* target of its shape (report.py: limit.dat).
if (exists("nlimit") && nlimit > 0) {
  set output outdir.'/limit.svg'
  set title "FastCGI targets as a fraction of the FastCGI limit (canned responder, same transport, keep-alive and processes)"
  set ylabel "fraction of the limit"
  set yrange [0:1.2<*] # at least to 1.2, further if a noisy run went past the limit
  set ytics auto
  set format y "%.1f"
  set key top right
  set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lc rgb "#cc3311" lw 2 dt 2 front
  set label 1 "limit = 1" at graph 1, first 1 offset 1,0 left tc rgb "#cc3311"
  plot for [i=2:ncol] datadir.'/limit.dat' using i:xtic(1) title columnhead(i)
}
