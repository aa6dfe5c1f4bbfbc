package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Save writes the pipeline's blob (MarshalBinary) to the file at path,
// readable by its owner only. It writes a temporary file in the same
// directory and renames it over path, so a reader never sees half a model
// and a failed save leaves the previous file in place.
func (p *Pipeline) Save(path string) error {
	b, err := p.MarshalBinary()
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Load reads a pipeline saved by Save (or any file holding MarshalBinary's
// blob). It refuses, with ErrCorrupt, a file whose parts do not belong
// together, as UnmarshalBinary does; names, if given, must be the feature
// names the pipeline was fit with, in order (CheckFeatures), so that a
// service refuses a feed whose columns moved.
func Load(path string, names ...string) (*Pipeline, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p := new(Pipeline)
	if err := p.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	if names != nil {
		if err := p.CheckFeatures(names); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Reason describes, in one line an analyst reads, the n features that
// explain result r of row x, largest first, each with its actual value, the
// training rows' typical value and its share of the explanation:
//
//	error ratio 0.855 (typ. 0.00371) 94%, requests 867 (typ. 20) 6%
//
// Features with under 5 % of the explanation are left out. It is empty when
// r has no Explanation (rows not flagged, or a detector that cannot explain).
func (p *Pipeline) Reason(x []float64, r Result, n int) string {
	if p.fitted() != nil || len(x) != p.d || len(r.Explanation) != p.d {
		return ""
	}
	typical := p.Typical()
	var s []string
	for _, c := range p.Top(r.Explanation, n) {
		if c.Share < 0.05 {
			break
		}
		s = append(s, fmt.Sprintf("%s %.3g (typ. %.3g) %.0f%%", c.Name, x[c.Feature], typical[c.Feature], 100*c.Share))
	}
	return strings.Join(s, ", ")
}
