package rare_test

import (
	"fmt"
	"time"

	"github.com/vigil-ml/vigil/rare"
)

// A workstation's first connection to an autonomous system it has never
// used, after three weeks of hourly traffic to its usual networks.
func Example() {
	m, err := rare.New(rare.Config{BucketSpan: time.Hour})
	if err != nil {
		panic(err)
	}
	usual := []string{"AS15169 Google", "AS13335 Cloudflare", "AS16509 Amazon", "AS8075 Microsoft", "AS32934 Facebook"}
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for h := range 21 * 24 {
		b := m.BucketOf(start.Add(time.Duration(h) * time.Hour))
		for i, asn := range usual {
			if h%(i+1) == 0 { // Google every hour, Facebook every fifth
				if _, err := m.Observe(b, "ws-042", asn); err != nil {
					panic(err)
				}
			}
		}
	}
	at := start.Add((21*24 + 3) * time.Hour) // Monday 23 November, 03:00
	for _, asn := range []string{"AS15169 Google", "AS32934 Facebook", "AS49505 Selectel"} {
		r, err := m.Observe(m.BucketOf(at), "ws-042", asn)
		if err != nil {
			panic(err)
		}
		verdict := "normal"
		if r.Probability < 0.01 {
			verdict = "RARE"
		}
		fmt.Printf("%s ws-042 -> %-18s p=%.4f share=%.4f typical=%.4f first=%-5v %s\n",
			at.Format(time.RFC3339), asn, r.Probability, r.Share, r.Typical, r.FirstForEntity, verdict)
	}
	// Output:
	// 2026-11-23T03:00:00Z ws-042 -> AS15169 Google     p=1.0000 share=0.4376 typical=0.2187 first=false normal
	// 2026-11-23T03:00:00Z ws-042 -> AS32934 Facebook   p=0.3437 share=0.0876 typical=0.2187 first=false normal
	// 2026-11-23T03:00:00Z ws-042 -> AS49505 Selectel   p=0.0011 share=0.0000 typical=0.2187 first=true  RARE
}

// The population view: an ASN used by one host among many is rare for the
// population even if that host uses it every hour (rare … over), and a
// Combiner turns the values one host touched in a bucket into one
// probability for the host.
func ExampleCombiner() {
	m, _ := rare.New(rare.Config{BucketSpan: time.Hour})
	for h := range 7 * 24 {
		for i := range 50 {
			host := fmt.Sprintf("ws-%03d", i)
			m.Observe(int64(h), host, "AS15169 Google")
			m.Observe(int64(h), host, "AS13335 Cloudflare")
		}
	}
	var c rare.Combiner
	for _, asn := range []string{"AS15169 Google", "AS49505 Selectel", "AS9009 M247"} {
		r, _ := m.Observe(7*24, "ws-007", asn)
		fmt.Printf("%-18s population p=%.4f users=%.0f\n", asn, r.PopProbability, r.Users)
		c.Add(r.PopProbability, r.Hits)
	}
	// Two values at 0.0099 among three: P(K ≥ 2 | 3, 0.0099) = 2.92e-4,
	// times H_2 = 1.5 for the two thresholds tried.
	fmt.Printf("ws-007 this hour: p=%.2g\n", c.Rare())
	// Output:
	// AS15169 Google     population p=1.0000 users=50
	// AS49505 Selectel   population p=0.0099 users=0
	// AS9009 M247        population p=0.0099 users=0
	// ws-007 this hour: p=0.00044
}
