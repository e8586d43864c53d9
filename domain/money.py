"""Money: ISO 4217 codes, minor units and half-even rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from domain.errors import invalid

# ISO 4217 active codes with their minor units (2 unless listed otherwise below).
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD "
    "CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD "
    "HKD HNL HTG HUF IDR ILS INR IRR ISK JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD "
    "MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD "
    "RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH "
    "USD UYU UZS VES WST XCD YER ZAR ZMW ZWL"
)
_ZERO = "BIF CLP DJF GNF JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"

CURRENCY_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_TWO.split(), 2),
    **dict.fromkeys(_ZERO.split(), 0),
    **dict.fromkeys(_THREE.split(), 3),
}

MAX_AMOUNT = Decimal("1e15")


def check_currency(code: str, field: str = "currency") -> str:
    code = code.strip().upper()
    if code not in CURRENCY_MINOR_UNITS:
        raise invalid(field, f"Unknown ISO 4217 currency code {code!r}")
    return code


def parse_amount(value: str | int | float | Decimal, currency: str, field: str = "amount") -> Decimal:
    """A decimal string or number, rounded half-even to the currency's minor unit."""
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation as exc:
        raise invalid(field, f"{value!r} is not a number") from exc
    if not amount.is_finite():
        raise invalid(field, "Amount must be a finite number")
    if amount < 0:
        raise invalid(field, "Amount cannot be negative")
    if amount >= MAX_AMOUNT:
        raise invalid(field, "Amount is too large")
    quantum = Decimal(1).scaleb(-CURRENCY_MINOR_UNITS[currency])
    return amount.quantize(quantum, rounding=ROUND_HALF_EVEN)


def format_amount(amount: Decimal | None, currency: str) -> str | None:
    if amount is None:
        return None
    quantum = Decimal(1).scaleb(-CURRENCY_MINOR_UNITS.get(currency, 2))
    return str(amount.quantize(quantum, rounding=ROUND_HALF_EVEN))
