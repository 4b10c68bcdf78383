"""Finite fields GF(q) for the small prime powers the designs use (2, 3, 4, 5, 7, 8, 9, 11, 13, 16, …).

Elements are the integers 0..q-1, read as polynomials over GF(p) in base p (digit i: coefficient of x^i), so
GF(p) itself is ordinary arithmetic modulo p. Multiplication goes through a table built from an irreducible
polynomial found by trying them in order; fields are cached, they are small (q ≤ 64 in practice)."""

from __future__ import annotations

from functools import cache

__all__ = ["Field", "field", "prime_power"]


def prime_power(q: int) -> tuple[int, int] | None:
    """``(p, k)`` with ``q == p**k`` and ``p`` prime, or None."""
    if q < 2:
        return None
    p = next(d for d in range(2, q + 1) if q % d == 0)
    k, rest = 0, q
    while rest % p == 0:
        rest //= p
        k += 1
    return (p, k) if rest == 1 else None


class Field:
    """GF(q): addition and multiplication tables over 0..q-1."""

    def __init__(self, p: int, k: int) -> None:
        self.p, self.k, self.q = p, k, p**k
        q = self.q
        self.add = [[self._add(a, b) for b in range(q)] for a in range(q)]
        modulus = self._irreducible()
        self.mul = [[self._mul(a, b, modulus) for b in range(q)] for a in range(q)]
        self.neg = [next(b for b in range(q) if self.add[a][b] == 0) for a in range(q)]

    def digits(self, a: int) -> list[int]:
        """The coefficients of ``a`` as a polynomial over GF(p), lowest degree first."""
        return [(a // self.p**i) % self.p for i in range(self.k)]

    def _add(self, a: int, b: int) -> int:
        da, db = self.digits(a), self.digits(b)
        return sum(((x + y) % self.p) * self.p**i for i, (x, y) in enumerate(zip(da, db, strict=True)))

    def _poly_mul(self, a: list[int], b: list[int]) -> list[int]:
        out = [0] * (len(a) + len(b) - 1)
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                out[i + j] = (out[i + j] + x * y) % self.p
        return out

    def _reduce(self, poly: list[int], modulus: list[int]) -> list[int]:
        """``poly`` modulo the monic ``modulus`` (coefficient lists, lowest degree first)."""
        poly = list(poly)
        degree = len(modulus) - 1
        for top in range(len(poly) - 1, degree - 1, -1):
            factor = poly[top]
            if factor:
                for i, c in enumerate(modulus):
                    poly[top - degree + i] = (poly[top - degree + i] - factor * c) % self.p
        return (poly + [0] * degree)[:degree]

    def _irreducible(self) -> list[int]:
        """The first monic polynomial of degree k that is irreducible: the product of two non-zero residues is
        never zero (checked directly, the fields are small)."""
        p, k = self.p, self.k
        if k == 1:
            return [0, 1]
        for tail in range(p**k):
            modulus = [(tail // p**i) % p for i in range(k)] + [1]
            if all(
                any(self._reduce(self._poly_mul(self.digits(a), self.digits(b)), modulus))
                for a in range(1, p**k)
                for b in range(1, p**k)
            ):
                return modulus
        raise ValueError(f"no irreducible polynomial of degree {k} over GF({p})")

    def _mul(self, a: int, b: int, modulus: list[int]) -> int:
        product = self._reduce(self._poly_mul(self.digits(a), self.digits(b)), modulus)
        return sum(c * self.p**i for i, c in enumerate(product))


@cache
def field(q: int) -> Field:
    """GF(q); ValueError when ``q`` is not a prime power."""
    found = prime_power(q)
    if found is None:
        raise ValueError(f"{q} is not a prime power")
    return Field(*found)
