package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// svgBar is a bar of a rendered chart.
type svgBar struct {
	Row, Series string
	Value       float64
	Width       float64
}

// bars parses svg as XML (so it is well formed) and returns its bars.
func bars(t *testing.T, svg []byte) []svgBar {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	var out []svgBar
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "rect" {
			continue
		}
		attr := map[string]string{}
		for _, a := range se.Attr {
			attr[a.Name.Local] = a.Value
		}
		if attr["class"] != "bar" {
			continue
		}
		v, _ := strconv.ParseFloat(attr["data-value"], 64)
		w, _ := strconv.ParseFloat(attr["width"], 64)
		out = append(out, svgBar{Row: attr["data-row"], Series: attr["data-series"], Value: v, Width: w})
	}
}

// The chart subcommand writes one SVG per results file, named after it,
// with a bar per implementation (per series) whose length is proportional
// to its value; labels are escaped.
func TestChart_barsFollowTheResults(t *testing.T) {
	dir := t.TempDir()
	tp := Results{Date: "d", CPUs: 2, Summary: []Summary{
		{Impl: "karafka", MedianRate: 100000, MinRate: 90000, MaxRate: 150000},
		{Impl: "sarama<&>", MedianRate: 50000, MinRate: 40000, MaxRate: 60000},
	}}
	lat := Results{LatencySummary: []Latency{{Impl: "karafka", Rate: 10000, P50ms: 2.5, P99ms: 9}, {Impl: "sarama", P50ms: 2, P99ms: 7.5}}}
	both := tp
	both.LatencySummary = lat.LatencySummary
	for name, r := range map[string]Results{"tp.json": tp, "lat.json": lat, "all.json": both} {
		b, _ := json.Marshal(r)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chartMain([]string{"-out", dir, filepath.Join(dir, "tp.json"), filepath.Join(dir, "lat.json"), filepath.Join(dir, "all.json")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file string
		want []svgBar // Width: relative to the first bar
	}{
		{"tp.svg", []svgBar{{"karafka", "median msg/s", 100000, 1}, {"sarama<&>", "median msg/s", 50000, 0.5}}},
		{"lat.svg", []svgBar{{"karafka", "p50", 2.5, 1}, {"karafka", "p99", 9, 3.6}, {"sarama", "p50", 2, 0.8}, {"sarama", "p99", 7.5, 3}}},
		{"all-throughput.svg", []svgBar{{"karafka", "median msg/s", 100000, 1}, {"sarama<&>", "median msg/s", 50000, 0.5}}},
		{"all-latency.svg", []svgBar{{"karafka", "p50", 2.5, 1}, {"karafka", "p99", 9, 3.6}, {"sarama", "p50", 2, 0.8}, {"sarama", "p99", 7.5, 3}}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			svg, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			got := bars(t, svg)
			if len(got) != len(tc.want) {
				t.Fatalf("%d bars, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				rel := g.Width / got[0].Width
				if g.Row != w.Row || g.Series != w.Series || g.Value != w.Value || rel < w.Width-0.01 || rel > w.Width+0.01 {
					t.Errorf("bar %d: %+v (%.3f of the first), want %+v", i, g, rel, w)
				}
			}
		})
	}
}

func TestNiceScale_coversTheMaximumInAboutFiveSteps(t *testing.T) {
	tests := []struct {
		name           string
		max, step, top float64
	}{
		{"throughput", 251024, 100000, 300000},
		{"latency", 19.24, 5, 20},
		{"small", 0.8, 0.2, 0.8},
		{"empty", 0, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			step, top := niceScale(tc.max)
			if step != tc.step || top != tc.top {
				t.Fatalf("niceScale(%v) = %v, %v; want %v, %v", tc.max, step, top, tc.step, tc.top)
			}
		})
	}
}

// The charts in docs/ are what the chart subcommand draws from the results
// they are named after: on a mismatch, run it again (docs/benchmarks.md).
func TestChart_docsChartsAreDrawnFromTheirResults(t *testing.T) {
	svgs, err := filepath.Glob("../../../docs/*.svg")
	if err != nil || len(svgs) == 0 {
		t.Fatalf("no charts in docs/ (%v)", err)
	}
	for _, svg := range svgs {
		name := strings.TrimSuffix(filepath.Base(svg), ".svg")
		t.Run(name, func(t *testing.T) {
			base, kind := name, ""
			if _, err := os.Stat(filepath.Join("../../results", base+".json")); err != nil {
				for _, k := range []string{"throughput", "latency"} {
					if strings.HasSuffix(name, "-"+k) {
						base, kind = strings.TrimSuffix(name, "-"+k), k
					}
				}
			}
			b, err := os.ReadFile(filepath.Join("../../results", base+".json"))
			if err != nil {
				t.Fatalf("docs/%s.svg names no results file: %v", name, err)
			}
			var r Results
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
			charts := r.charts()
			c, ok := charts[kind]
			if kind == "" && len(charts) == 1 {
				for _, only := range charts {
					c, ok = only, true
				}
			}
			if !ok {
				t.Fatalf("results/%s.json has no %q chart", base, kind)
			}
			have, err := os.ReadFile(svg)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(have, c.svg()) {
				t.Fatalf("docs/%s.svg differs from what `karafka-bench chart` draws from results/%s.json: run it again", name, base)
			}
		})
	}
}
