package demo

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/vigil-ml/vigil/timeseries"
)

// RGB is an opaque colour.
func RGB(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 255} }

// Band returns the actual value and the 95% bounds of the model plot
// points keep accepts, in order.
func Band(mp []timeseries.ModelPlot, keep func(m *timeseries.ModelPlot) bool) (act, lo, hi plotter.XYs) {
	for i := range mp {
		m := &mp[i]
		if !keep(m) {
			continue
		}
		x := float64(m.Timestamp.Unix())
		act = append(act, plotter.XY{X: x, Y: m.Actual})
		lo = append(lo, plotter.XY{X: x, Y: m.Lower})
		hi = append(hi, plotter.XY{X: x, Y: m.Upper})
	}
	return act, lo, hi
}

// Marks are the anomalies to draw, by severity.
type Marks struct{ Major, Critical plotter.XYs }

// Add files the point (x, y) of a record scoring score: critical from 75,
// major from 50, nothing below.
func (m *Marks) Add(x, y, score float64) {
	switch {
	case score >= 75:
		m.Critical = append(m.Critical, plotter.XY{X: x, Y: y})
	case score >= 50:
		m.Major = append(m.Major, plotter.XY{X: x, Y: y})
	}
}

// MarkStyle is how the anomalies are drawn.
type MarkStyle struct {
	Radius          vg.Length
	Major, Critical color.Color
	CriticalShape   draw.GlyphDrawer // major ones are triangles
}

// DefaultMarks: orange triangles for major, red discs for critical.
var DefaultMarks = MarkStyle{Radius: vg.Points(3.5), Major: RGB(240, 140, 20), Critical: RGB(220, 20, 20), CriticalShape: draw.CircleGlyph{}}

// AddMarks adds the anomalies to p, with their legend entries.
func AddMarks(p *plot.Plot, m Marks, st MarkStyle) error {
	for _, s := range []struct {
		pts   plotter.XYs
		name  string
		shape draw.GlyphDrawer
		c     color.Color
	}{{m.Major, "major (50-75)", draw.TriangleGlyph{}, st.Major}, {m.Critical, "critical (≥ 75)", st.CriticalShape, st.Critical}} {
		if len(s.pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(s.pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Shape = s.shape
		sc.GlyphStyle.Radius = st.Radius
		sc.GlyphStyle.Color = s.c
		p.Add(sc)
		p.Legend.Add(s.name, sc)
	}
	return nil
}

// Bounds returns the dashed lines of the upper and lower bound.
func Bounds(lo, hi plotter.XYs) (upper, lower *plotter.Line, err error) {
	if upper, err = plotter.NewLine(hi); err != nil {
		return nil, nil, err
	}
	if lower, err = plotter.NewLine(lo); err != nil {
		return nil, nil, err
	}
	for _, l := range []*plotter.Line{upper, lower} {
		l.Color = RGB(90, 120, 200)
		l.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
	}
	return upper, lower, nil
}

// BandPlot is the chart of a series: the actual values, the model's 95%
// bounds and the anomalies, time on x (UTC; set p.X.Tick.Marker for
// another zone), legend at the top.
func BandPlot(title, ylabel string, act, lo, hi plotter.XYs, m Marks, st MarkStyle) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.X.Tick.Marker = plot.TimeTicks{Format: "Jan 2\n15:04"}
	upper, lower, err := Bounds(lo, hi)
	if err != nil {
		return nil, err
	}
	line, err := plotter.NewLine(act)
	if err != nil {
		return nil, err
	}
	line.Width = vg.Points(0.8)
	p.Add(upper, lower, line)
	p.Legend.Add("actual", line)
	p.Legend.Add("95% bounds", upper)
	if err := AddMarks(p, m, st); err != nil {
		return nil, err
	}
	p.Legend.Top = true
	return p, nil
}
