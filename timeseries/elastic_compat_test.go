package timeseries

import (
	"errors"
	"strings"
	"testing"
)

// TestQueryDSLCompat checks the query clauses Elastic's security modules
// use beyond term/terms/range/exists/bool, each against events it must and
// must not pass.
func TestQueryDSLCompat(t *testing.T) {
	ev := func(kv ...string) Event {
		m := &MapEvent{Timestamp: t0, Strings: map[string]string{}}
		for i := 0; i+1 < len(kv); i += 2 {
			m.Strings[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name, query string
		yes, no     []Event
	}{
		{"match object", `{"match":{"host.os.type":{"query":"linux","operator":"OR"}}}`,
			[]Event{ev("host.os.type", "linux")}, []Event{ev("host.os.type", "Linux"), ev("host.os.type", "linux x"), ev()}},
		{"match shorthand", `{"match":{"event.action":"logged-in"}}`,
			[]Event{ev("event.action", "logged-in")}, []Event{ev("event.action", "logged-out")}},
		{"match_phrase", `{"match_phrase":{"event.category":"network"}}`,
			[]Event{ev("event.category", "network")}, []Event{ev("event.category", "process")}},
		{"wildcard object", `{"wildcard":{"process.name":{"wildcard":"jenkins*"}}}`,
			[]Event{ev("process.name", "jenkins"), ev("process.name", "jenkins-agent")}, []Event{ev("process.name", "xjenkins"), ev("process.name", "Jenkins")}},
		{"wildcard value ?", `{"wildcard":{"process.name":{"value":"p?thon*.exe"}}}`,
			[]Event{ev("process.name", "python3.exe"), ev("process.name", "pythonw.exe")}, []Event{ev("process.name", "pthon.exe"), ev("process.name", "python3.exe.bak")}},
		{"wildcard middle stars", `{"wildcard":{"file.path":"*\\\\temp\\\\*"}}`,
			[]Event{ev("file.path", `C:\temp\a`)}, []Event{ev("file.path", `C:\tmp\a`)}},
		{"wildcard escape", `{"wildcard":{"f":"a\\*b"}}`,
			[]Event{ev("f", "a*b")}, []Event{ev("f", "axb")}},
		{"wildcard fold", `{"wildcard":{"process.name":{"value":"POWERSHELL*","case_insensitive":true}}}`,
			[]Event{ev("process.name", "powershell.exe"), ev("process.name", "PowerShell_ISE.exe")}, []Event{ev("process.name", "pwsh.exe")}},
		{"wildcard unicode", `{"wildcard":{"user.name":"j?rg"}}`,
			[]Event{ev("user.name", "jörg")}, []Event{ev("user.name", "joerg")}},
		{"prefix", `{"prefix":{"file.path":"/tmp/"}}`,
			[]Event{ev("file.path", "/tmp/x")}, []Event{ev("file.path", "/var/tmp/x"), ev("file.path", "/TMP/x")}},
		{"prefix fold literal star", `{"prefix":{"f":{"value":"A*","case_insensitive":true}}}`,
			[]Event{ev("f", "a*z")}, []Event{ev("f", "abz")}},
		{"term case_insensitive", `{"term":{"user.name":{"value":"ROOT","case_insensitive":true}}}`,
			[]Event{ev("user.name", "root")}, []Event{ev("user.name", "rooty")}},
		{"empty clauses and match_all", `{"bool":{"must":[],"filter":[{"match_all":{}},{"exists":{"field":"a"}}],"should":[]}}`,
			[]Event{ev("a", "1")}, []Event{ev("b", "1")}},
		{"must_not terms object", `{"bool":{"must_not":{"terms":{"process.name":["filebeat","metricbeat"]}}}}`,
			[]Event{ev("process.name", "bash"), ev()}, []Event{ev("process.name", "filebeat")}},
		{"should nested under must", `{"bool":{"filter":[{"exists":{"field":"source.ip"}}],"must":[{"bool":{"should":[{"term":{"event.category":"authentication"}},{"term":{"event.outcome":"success"}}]}}]}}`,
			[]Event{ev("source.ip", "1.2.3.4", "event.outcome", "success"), ev("source.ip", "1.2.3.4", "event.category", "authentication")},
			[]Event{ev("source.ip", "1.2.3.4", "event.outcome", "failure"), ev("event.outcome", "success")}},
	}
	for _, c := range cases {
		q, err := ParseQuery([]byte(c.query))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for i, e := range c.yes {
			if !q.Match(e) {
				t.Errorf("%s: event %d should match", c.name, i)
			}
		}
		for i, e := range c.no {
			if q.Match(e) {
				t.Errorf("%s: event %d should not match", c.name, i)
			}
		}
	}
	refused := []struct{ query, msg string }{
		{`{"match":{"message":"failed password"}}`, "text field"},
		{`{"match":{"host.os.type":{"query":"linux","fuzziness":"AUTO"}}}`, "fuzziness"},
		{`{"match":{"host.os.type":{"query":"linux","analyzer":"standard"}}}`, "analyzer"},
		{`{"match":{"a":{"query":"x","slop":1}}}`, "slop"},
		{`{"query_string":{"query":"process.name:cmd.exe"}}`, `"query_string"`},
		{`{"regexp":{"a":"b.*"}}`, `"regexp"`},
		{`{"wildcard":{"a":{"value":"b*","flags":"ALL"}}}`, "flags"},
		{`{"prefix":{"a":{"wildcard":"b"}}}`, "wildcard"},
		{`{"script":{"script":"doc['a'].value > 1"}}`, `"script"`},
	}
	for _, c := range refused {
		_, err := ParseQuery([]byte(c.query))
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: err %v, want ErrUnsupported naming %s", c.query, err, c.msg)
		}
	}
}
