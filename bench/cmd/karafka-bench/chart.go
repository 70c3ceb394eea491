package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"html"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// chartMain is the chart subcommand: for each results JSON it writes SVG
// bar charts into -out, named after the file: <name>.svg for a throughput
// or a latency run, <name>-throughput.svg and <name>-latency.svg for a run
// of both (such as "all").
//
//	karafka-bench chart -out ../docs results/throughput-X.json results/latency-Y.json
func chartMain(args []string) error {
	fs := flag.NewFlagSet("chart", flag.ExitOnError)
	out := fs.String("out", ".", "directory to write the SVG files to")
	_ = fs.Parse(args)
	if fs.NArg() == 0 {
		return fmt.Errorf("chart: name at least one results JSON file")
	}
	for _, in := range fs.Args() {
		b, err := os.ReadFile(in)
		if err != nil {
			return err
		}
		var r Results
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		charts := r.charts()
		if len(charts) == 0 {
			return fmt.Errorf("%s: no throughput summary or latency summary to chart", in)
		}
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		for kind, c := range charts {
			path := filepath.Join(*out, name+".svg")
			if len(charts) > 1 {
				path = filepath.Join(*out, name+"-"+kind+".svg")
			}
			if err := os.WriteFile(path, c.svg(), 0o644); err != nil {
				return err
			}
			fmt.Println("wrote", path)
		}
	}
	return nil
}

// charts returns the charts of r by kind: "throughput" (median steady
// msg/s per implementation, min–max as a whisker) and "latency" (p50 and
// p99 per implementation, medians over rounds).
func (r *Results) charts() map[string]barChart {
	charts := map[string]barChart{}
	date, _, _ := strings.Cut(r.Date, "T")
	broker, _, _ := strings.Cut(r.Broker, " (")
	sub := fmt.Sprintf("run of %s, %d CPUs, broker: %s", date, r.CPUs, broker)
	if len(r.Summary) > 0 {
		c := barChart{Title: "Throughput under a backlog (median steady msg/s; whisker: min–max over trials)", Subtitle: sub,
			Unit: "msg/s", Series: []string{"median msg/s"}}
		for _, s := range r.Summary {
			c.Rows = append(c.Rows, barRow{Label: s.Impl, Values: []float64{s.MedianRate}, Lo: s.MinRate, Hi: s.MaxRate})
		}
		charts["throughput"] = c
	}
	if len(r.LatencySummary) > 0 {
		rate := r.LatencySummary[0].Rate
		c := barChart{Title: fmt.Sprintf("End-to-end latency at %d msg/s offered (ms, median over rounds)", rate), Subtitle: sub,
			Unit: "ms", Series: []string{"p50", "p99"}}
		for _, l := range r.LatencySummary {
			c.Rows = append(c.Rows, barRow{Label: l.Impl, Values: []float64{l.P50ms, l.P99ms}})
		}
		charts["latency"] = c
	}
	return charts
}

// barChart is a horizontal bar chart: one group of bars per row, one bar
// per series.
type barChart struct {
	Title, Subtitle, Unit string
	Series                []string
	Rows                  []barRow
}

// barRow is one row's values, one per series; Lo and Hi (when Hi > 0)
// draw a whisker over the first series' bar.
type barRow struct {
	Label  string
	Values []float64
	Lo, Hi float64
}

var seriesColors = []string{"#4e79a7", "#f28e2b", "#59a14f", "#e15759"}

const (
	chartWidth  = 760
	labelWidth  = 170
	plotRight   = 70
	barHeight   = 16
	barGap      = 2
	rowGap      = 12
	headerLines = 62
	axisHeight  = 30
)

// svg renders c as a standalone SVG document.
func (c barChart) svg() []byte {
	max := 0.0
	for _, r := range c.Rows {
		for _, v := range r.Values {
			max = math.Max(max, v)
		}
		max = math.Max(max, r.Hi)
	}
	step, top := niceScale(max)
	plotW := float64(chartWidth - labelWidth - plotRight)
	x := func(v float64) float64 { return labelWidth + v/top*plotW }
	rowH := len(c.Series)*(barHeight+barGap) - barGap + rowGap
	height := headerLines + len(c.Rows)*rowH + axisHeight

	var w strings.Builder
	fmt.Fprintf(&w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&w, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", chartWidth, height)
	fmt.Fprintf(&w, `<text x="10" y="20" font-size="14" font-weight="bold">%s</text>`+"\n", esc(c.Title))
	fmt.Fprintf(&w, `<text x="10" y="37" fill="#555555">%s</text>`+"\n", esc(c.Subtitle))
	for i, s := range c.Series { // legend
		lx := labelWidth + i*120
		fmt.Fprintf(&w, `<rect x="%d" y="45" width="12" height="12" fill="%s"/><text x="%d" y="55">%s</text>`+"\n",
			lx, seriesColors[i%len(seriesColors)], lx+16, esc(s))
	}
	plotTop, plotBottom := headerLines, headerLines+len(c.Rows)*rowH
	for v := 0.0; v <= top+step/2; v += step { // grid and ticks
		fmt.Fprintf(&w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#dddddd"/>`+"\n", x(v), plotTop, x(v), plotBottom)
		fmt.Fprintf(&w, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555555">%s</text>`+"\n", x(v), plotBottom+15, tick(v, step))
	}
	fmt.Fprintf(&w, `<text x="%d" y="%d" text-anchor="end" fill="#555555">%s</text>`+"\n", chartWidth-plotRight, plotBottom+28, esc(c.Unit))
	for i, r := range c.Rows {
		y0 := plotTop + i*rowH + rowGap/2
		mid := y0 + (len(c.Series)*(barHeight+barGap)-barGap)/2
		fmt.Fprintf(&w, `<text x="%d" y="%d" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", labelWidth-8, mid, esc(r.Label))
		for j, v := range r.Values {
			y := y0 + j*(barHeight+barGap)
			fmt.Fprintf(&w, `<rect class="bar" data-row="%s" data-series="%s" data-value="%s" x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n",
				esc(r.Label), esc(c.Series[j]), strconv.FormatFloat(v, 'g', -1, 64), labelWidth, y, x(v)-labelWidth, barHeight, seriesColors[j%len(seriesColors)])
			end := x(v)
			if j == 0 && r.Hi > 0 {
				wy := float64(y) + barHeight/2
				fmt.Fprintf(&w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#333333"/>`+"\n", x(r.Lo), wy, x(r.Hi), wy)
				for _, e := range []float64{r.Lo, r.Hi} {
					fmt.Fprintf(&w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#333333"/>`+"\n", x(e), y+3, x(e), y+barHeight-3)
				}
				end = math.Max(end, x(r.Hi))
			}
			fmt.Fprintf(&w, `<text x="%.1f" y="%d" dominant-baseline="middle">%s</text>`+"\n", end+4, y+barHeight/2, value(v))
		}
	}
	w.WriteString("</svg>\n")
	return []byte(w.String())
}

// niceScale returns a tick step of 1, 2 or 5 × 10^k and the axis end (a
// multiple of it) so that max fits in about five ticks.
func niceScale(max float64) (step, top float64) {
	if max <= 0 {
		return 1, 1
	}
	raw := max / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*mag {
			step = m * mag
			break
		}
	}
	return step, math.Ceil(max/step) * step
}

// tick formats an axis value: thousands as "k", decimals only when the
// step has them.
func tick(v, step float64) string {
	if step >= 1000 {
		return strconv.FormatFloat(v/1000, 'f', -1, 64) + "k"
	}
	if step >= 1 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', int(math.Ceil(-math.Log10(step))), 64)
}

// value formats a bar's value: whole numbers with thousands separators,
// small ones with two decimals.
func value(v float64) string {
	if v >= 1000 {
		s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
		var b strings.Builder
		for i, r := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func esc(s string) string { return html.EscapeString(s) }
