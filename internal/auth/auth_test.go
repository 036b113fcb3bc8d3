package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/companygraph/companygraph/internal/apierror"
)

func sign(t *testing.T, method jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAuthenticate(t *testing.T) {
	secret := []byte("a-test-secret-of-some-length-123")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherRSA, _ := rsa.GenerateKey(rand.Reader, 2048)
	keys, err := ParseAPIKeys("ci:editor:" + HashKey("key-one") + ", ops:admin:" + HashKey("key-two"))
	if err != nil {
		t.Fatal(err)
	}
	a := New(Options{APIKeys: keys, HS256Secret: secret, RS256Key: &rsaKey.PublicKey, Issuer: "companygraph-tests"})
	onlyRSA := New(Options{RS256Key: &rsaKey.PublicKey})
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(&rsaKey.PublicKey))})

	future := time.Now().Add(time.Hour).Unix()
	claims := func(role string, exp int64) jwt.MapClaims {
		return jwt.MapClaims{"sub": "alice", "role": role, "exp": exp, "iss": "companygraph-tests"}
	}
	tests := []struct {
		name   string
		auth   *Authenticator
		header string
		want   *Principal
		bad    bool
	}{
		{"no header", a, "", nil, false},
		{"api key", a, "Bearer key-one", &Principal{"ci", Editor}, false},
		{"another api key", a, "bearer key-two", &Principal{"ops", Admin}, false},
		{"unknown api key", a, "Bearer key-three", nil, true},
		{"not bearer", a, "Basic a2V5LW9uZQ==", nil, true},
		{"empty bearer", a, "Bearer ", nil, true},
		{"hs256", a, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, claims("reader", future)), &Principal{"alice", Reader}, false},
		{"rs256", a, "Bearer " + sign(t, jwt.SigningMethodRS256, rsaKey, claims("admin", future)), &Principal{"alice", Admin}, false},
		{"expired", a, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, claims("reader", time.Now().Add(-time.Minute).Unix())), nil, true},
		{"no expiry", a, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "alice", "role": "reader", "iss": "companygraph-tests"}), nil, true},
		{"wrong secret", a, "Bearer " + sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret!!"), claims("reader", future)), nil, true},
		{"wrong rsa key", a, "Bearer " + sign(t, jwt.SigningMethodRS256, otherRSA, claims("reader", future)), nil, true},
		{"wrong issuer", a, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, jwt.MapClaims{"sub": "alice", "role": "reader", "exp": future, "iss": "elsewhere"}), nil, true},
		{"unknown role", a, "Bearer " + sign(t, jwt.SigningMethodHS256, secret, claims("owner", future)), nil, true},
		{"alg none", a, "Bearer " + sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("admin", future)), nil, true},
		// An HS256 token signed with the RSA public key as the secret must
		// not pass where only RS256 is configured.
		{"algorithm confusion", onlyRSA, "Bearer " + sign(t, jwt.SigningMethodHS256, pubPEM, jwt.MapClaims{"sub": "mallory", "role": "admin", "exp": future}), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			p, err := tt.auth.Authenticate(r)
			if tt.bad {
				if err == nil || apierror.CodeOf(err) != apierror.Unauthenticated {
					t.Fatalf("got %v, %v; want UNAUTHENTICATED", p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (p == nil) != (tt.want == nil) || p != nil && *p != *tt.want {
				t.Errorf("got %+v, want %+v", p, tt.want)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestCheck(t *testing.T) {
	keys, _ := ParseAPIKeys("r:reader:" + HashKey("r") + ",e:editor:" + HashKey("e") + ",a:admin:" + HashKey("a"))
	a := New(Options{APIKeys: keys})
	ctxFor := func(header string) context.Context {
		var got context.Context
		h := a.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.Context() }))
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		return got
	}
	tests := []struct {
		header string
		need   Role
		want   apierror.Code
	}{
		{"", Reader, apierror.Unauthenticated},
		{"Bearer nope", Reader, apierror.Unauthenticated},
		{"Bearer r", Reader, ""},
		{"Bearer r", Editor, apierror.Forbidden},
		{"Bearer e", Editor, ""},
		{"Bearer e", Admin, apierror.Forbidden},
		{"Bearer a", Admin, ""},
		{"Bearer a", Reader, ""},
	}
	for _, tt := range tests {
		err := Check(ctxFor(tt.header), tt.need)
		got := apierror.Code("")
		if err != nil {
			got = apierror.CodeOf(err)
		}
		if got != tt.want {
			t.Errorf("%q needing %s: got %q, want %q", tt.header, tt.need, got, tt.want)
		}
	}
}

func TestParseAPIKeys(t *testing.T) {
	for _, bad := range []string{"x", "x:reader", "x:owner:" + HashKey("k"), "x:reader:abc", ":reader:" + HashKey("k")} {
		if _, err := ParseAPIKeys(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	keys, err := ParseAPIKeys("")
	if err != nil || len(keys) != 0 {
		t.Errorf("empty: %v %v", keys, err)
	}
}
