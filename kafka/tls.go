package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// Validate reports every invalid field of t, each naming its key under
// prefix ("kafka.tls", "schema_registry.tls"): files set while TLS is off, a
// certificate without its key (or the reverse), and files that cannot be
// read or parsed (a configuration error, not a server to retry forever).
func (t TLSConfig) Validate(prefix string) error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s.%s: %s", ErrInvalidConfig, prefix, key, fmt.Sprintf(format, args...)))
	}
	if !t.Enabled {
		for _, f := range [...]struct{ key, v string }{
			{"ca_file", t.CAFile},
			{"cert_file", t.CertFile},
			{"key_file", t.KeyFile},
		} {
			if f.v != "" {
				bad(f.key, "%q is set but %s.enabled is false", f.v, prefix)
			}
		}
	}
	if t.CertFile != "" && t.KeyFile == "" {
		bad("key_file", "required when %s.cert_file is set", prefix)
	}
	if t.KeyFile != "" && t.CertFile == "" {
		bad("cert_file", "required when %s.key_file is set", prefix)
	}
	if t.Enabled {
		if _, err := t.Load(prefix); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Load builds the *tls.Config, reading the configured PEM files. It
// reports every file that cannot be read or parsed, each naming its key
// under prefix.
func (t TLSConfig) Load(prefix string) (*tls.Config, error) {
	tc := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // explicit user choice
	}
	var errs []error
	bad := func(key, path string, err error) {
		errs = append(errs, fmt.Errorf("%w: %s.%s: %q: %w", ErrInvalidConfig, prefix, key, path, err))
	}
	if t.CAFile != "" {
		pem, err := readFile(t.CAFile)
		pool := x509.NewCertPool()
		switch {
		case err != nil:
			bad("ca_file", t.CAFile, err)
		case !pool.AppendCertsFromPEM(pem):
			bad("ca_file", t.CAFile, errors.New("holds no PEM certificate"))
		default:
			tc.RootCAs = pool
		}
	}
	if t.CertFile != "" && t.KeyFile != "" { // Validate reports one without the other
		certPEM, certErr := readFile(t.CertFile)
		keyPEM, keyErr := readFile(t.KeyFile)
		if certErr != nil {
			bad("cert_file", t.CertFile, certErr)
		}
		if keyErr != nil {
			bad("key_file", t.KeyFile, keyErr)
		}
		if certErr == nil && keyErr == nil {
			cert, err := tls.X509KeyPair(certPEM, keyPEM)
			if err != nil {
				errs = append(errs, fmt.Errorf("%w: %s.cert_file %q with %s.key_file %q: %w", ErrInvalidConfig, prefix, t.CertFile, prefix, t.KeyFile, err))
			} else {
				tc.Certificates = []tls.Certificate{cert}
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return tc, nil
}
