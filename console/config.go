package console

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// ErrInvalidConfig is wrapped by every error of Config.Validate.
var ErrInvalidConfig = errors.New("console: invalid config")

// Config is the console's part of the configuration (keys console.*).
type Config struct {
	// Enabled serves the console at /console/ of a server's http.addr
	// (console.enabled).
	Enabled bool
	// Reports makes the process publish its report to ReportsTopic every
	// ReportInterval (console.reports), so that any console sees it.
	Reports bool
	// ReportsTopic is the compacted topic of the reports
	// (console.reports_topic); `topics create` creates it.
	ReportsTopic string
	// ReportInterval is how often a process reports
	// (console.report_interval). A process is stale after three
	// intervals without a report.
	ReportInterval time.Duration
	// Actions turns on the console's actions (console.actions): pause and
	// resume a partition, skip a failing record, replay dead letters.
	// Off, the console is read-only.
	Actions bool
	// Token authenticates an action (console.token): its request carries
	// "Authorization: Bearer TOKEN".
	Token string
	// AuthHeader names a header a reverse proxy in front of the console
	// sets to the authenticated user (console.auth_header), such as
	// X-Forwarded-User: a request carrying it is authenticated as that
	// user. Taken only from TrustedProxies.
	AuthHeader string
	// TrustedProxies are the addresses (CIDRs, or single IPs) of the
	// reverse proxies whose AuthHeader is believed
	// (console.trusted_proxies); a request from anywhere else carrying
	// the header is not authenticated by it.
	TrustedProxies []string
	// Hosts are the host names the console answers to besides IP
	// addresses and localhost (console.hosts): a request naming another
	// Host is refused, so that a web page cannot reach a console on the
	// user's machine through a DNS name of its own (DNS rebinding).
	Hosts []string
	// URL is where this process's console is reached, published in its
	// reports for the other consoles' links (console.url); empty: the
	// server's listening address, with this host's name when it listens
	// on every interface.
	URL string
}

// DefaultReportsTopic is the default of console.reports_topic.
const DefaultReportsTopic = "karafka_actors_reports"

// DefaultConfig returns the defaults: served, no reports, 5 s interval,
// actions off.
func DefaultConfig() Config {
	return Config{Enabled: true, ReportsTopic: DefaultReportsTopic, ReportInterval: 5 * time.Second}
}

// Validate returns an error wrapping ErrInvalidConfig naming the key at
// fault.
func (c Config) Validate() error {
	var errs []error
	if c.Reports && strings.TrimSpace(c.ReportsTopic) == "" {
		errs = append(errs, fmt.Errorf("%w: console.reports_topic: empty: name the topic of the reports", ErrInvalidConfig))
	}
	if c.ReportInterval < 100*time.Millisecond || c.ReportInterval > time.Hour {
		errs = append(errs, fmt.Errorf("%w: console.report_interval: %v is outside 100ms..1h", ErrInvalidConfig, c.ReportInterval))
	}
	if c.Actions && c.Token == "" && c.AuthHeader == "" {
		errs = append(errs, fmt.Errorf("%w: console.actions: needs console.token or console.auth_header: actions are never open to anyone", ErrInvalidConfig))
	}
	if c.Token != "" && len(c.Token) < 16 {
		errs = append(errs, fmt.Errorf("%w: console.token: %d characters, want at least 16", ErrInvalidConfig, len(c.Token)))
	}
	if c.AuthHeader != "" {
		switch strings.ToLower(c.AuthHeader) {
		case "authorization", "cookie", "host", "x-csrf-token", "origin":
			errs = append(errs, fmt.Errorf("%w: console.auth_header: %q is a header of the request itself, not a proxy's", ErrInvalidConfig, c.AuthHeader))
		}
		if len(c.TrustedProxies) == 0 {
			errs = append(errs, fmt.Errorf("%w: console.auth_header: needs console.trusted_proxies, the addresses of the proxies that set it (anyone else could set it too)", ErrInvalidConfig))
		}
	}
	if _, err := parseNets(c.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("%w: console.trusted_proxies: %w", ErrInvalidConfig, err))
	}
	if c.URL != "" {
		if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%w: console.url: %q is not an http(s) URL", ErrInvalidConfig, c.URL))
		}
	}
	return errors.Join(errs...)
}

// parseNets parses CIDRs and single IPs.
func parseNets(items []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, it := range items {
		it = strings.TrimSpace(it)
		if p, err := netip.ParsePrefix(it); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(it)
		if err != nil {
			return nil, fmt.Errorf("%q is neither a CIDR nor an IP address", it)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// ReportsTopicConfigs are the configs `topics create` gives the reports
// topic: compacted (a process's latest report stays), with an hour of
// reports kept uncompacted for the history, and every report gone after a
// day (a process that stopped for good drops out).
func ReportsTopicConfigs() map[string]string {
	return map[string]string{
		"cleanup.policy":        "compact,delete",
		"retention.ms":          "86400000",
		"min.compaction.lag.ms": "3600000",
		"segment.ms":            "3600000",
	}
}
