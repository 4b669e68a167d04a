"""Argument checks shared by the simulators, so bad input fails with a message naming it."""

from __future__ import annotations

import math

import numpy as np

import jax
import jax.numpy as jnp

__all__ = ["check_int", "check_float", "check_key"]


def check_int(value: object, name: str, minimum: int = 1) -> int:
    """``value`` as an int, or an error naming ``name`` and the bound.

    Args:
        value: the value to check (Python or numpy integer; bools are rejected).
        name: the argument's name, for messages.
        minimum: the smallest allowed value.

    Returns:
        ``int(value)``.

    Raises:
        TypeError: not an integer.
        ValueError: below ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_float(value: object, name: str, *, positive: bool) -> float:
    """``value`` as a finite float, positive (or non-negative when ``positive=False``).

    Args:
        value: the value to check (Python or numpy real; bools are rejected).
        name: the argument's name, for messages.
        positive: require > 0 (else ≥ 0).

    Returns:
        ``float(value)``.

    Raises:
        TypeError: not a real number.
        ValueError: not finite, or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    if not positive and value < 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value


def check_key(key: object, name: str = "key") -> jax.Array:
    """``key`` if it is one PRNG key (typed, shape (); or raw, uint32 shape (2,)).

    Args:
        key: the value to check.
        name: the argument's name, for messages.

    Returns:
        ``key``, unchanged.

    Raises:
        TypeError: ``key`` is not a JAX array (an int seed, say).
        ValueError: it is an array of keys, or not a key at all.
    """
    if not isinstance(key, jax.Array):
        raise TypeError(f"{name} must be a jax.random key (e.g. jax.random.key(0)), got {type(key).__name__}")
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        if key.shape != ():
            raise ValueError(f"{name} must be a single PRNG key, got shape {key.shape}")
    elif key.shape != (2,) or key.dtype != jnp.uint32:
        raise ValueError(f"{name} must be a single PRNG key, got dtype {key.dtype} and shape {key.shape}")
    return key
