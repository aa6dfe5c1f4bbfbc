package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// This file simulates the service's input, per-client one-minute windows of
// API gateway traffic; main.go is the service itself.

// window is one client's traffic in one minute.
type window struct {
	client   string
	end      time.Time
	features []float64 // see featureNames
	injected string    // ground truth, printed beside alerts only
}

var featureNames = []string{"requests", "error ratio", "distinct paths", "log10 bytes out"}

// client is a normal API consumer with its own rate and footprint.
type client struct {
	name  string
	rate  float64 // requests per minute
	paths float64 // endpoints it uses
	bytes float64 // log10 bytes per request
}

func clients(r *rand.Rand, n int) []client {
	cs := make([]client, n)
	for i := range cs {
		cs[i] = client{
			name:  fmt.Sprintf("app-%03d", i),
			rate:  math.Exp(3 + 0.6*r.NormFloat64()),
			paths: 3 + float64(r.IntN(6)),
			bytes: 3.3 + 0.3*r.NormFloat64(),
		}
	}
	return cs
}

// normal draws one minute of c's ordinary traffic.
func (c client) normal(r *rand.Rand, end time.Time) window {
	req := math.Max(1, math.Round(c.rate*math.Exp(0.25*r.NormFloat64())))
	errs := 0.02 * r.Float64() * r.Float64()
	paths := math.Min(req, math.Max(1, math.Round(c.paths+r.NormFloat64())))
	bytes := math.Log10(req) + c.bytes + 0.1*r.NormFloat64()
	return window{client: c.name, end: end, features: []float64{req, errs, paths, bytes}}
}

// training returns hours of ordinary traffic of every client.
func training(seed uint64, minutes int) []window {
	r := rand.New(rand.NewPCG(seed, 1))
	cs := clients(rand.New(rand.NewPCG(seed, 2)), 150)
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var out []window
	for m := 1; m <= minutes; m++ {
		for _, c := range cs {
			out = append(out, c.normal(r, start.Add(time.Duration(m)*time.Minute)))
		}
	}
	return out
}

// live returns the next minutes of traffic, minute by minute, with three
// incidents: credential stuffing by one client for 12 minutes, a bulk
// export by another for 5 minutes, and a single odd minute (a retry storm)
// that ends by itself.
func live(seed uint64, minutes int) [][]window {
	r := rand.New(rand.NewPCG(seed, 3))
	cs := clients(rand.New(rand.NewPCG(seed, 2)), 150)
	start := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	out := make([][]window, minutes)
	for m := range out {
		end := start.Add(time.Duration(m+1) * time.Minute)
		for _, c := range cs {
			w := c.normal(r, end)
			switch {
			case c.name == "app-017" && m >= 10 && m < 22:
				req := 900 + 60*r.NormFloat64()
				w.features = []float64{req, 0.85 + 0.05*r.Float64(), 1, math.Log10(req) + 2.6}
				w.injected = "credential stuffing"
			case c.name == "app-088" && m >= 30 && m < 35:
				w.features[3] += 2.2 // a hundred times the usual volume
				w.features[2] += 25  // walking every record endpoint
				w.injected = "bulk export"
			case c.name == "app-120" && m == 40:
				w.features[0] *= 8
				w.features[1] = 0.4
				w.injected = "retry storm (one minute)"
			}
			out[m] = append(out[m], w)
		}
	}
	return out
}
