//! Meta's payload, borrowed from the line: the structs serde reads a webhook into.

use super::*;

// ---- Meta's payload, borrowed from the line ---------------------------------------------

/// A JSON leaf as Meta may send it: Meta writes timestamps and numbers as strings, and a
/// few producers re-encode them as numbers, so any scalar is accepted here and checked
/// later, where the error can name the field.
#[derive(Debug, Clone)]
pub(super) enum Scalar<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Bool(bool),
    Other(&'static str),
}

impl Scalar<'_> {
    pub(super) fn shown(&self) -> String {
        match self {
            Scalar::Str(s) => s.to_string(),
            Scalar::Int(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Other(what) => what.to_string(),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(i64::try_from(v).map_or(Scalar::Other("a number too large"), Scalar::Int))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Scalar::Other("a number with a fraction"))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other("an object"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other("an array"))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
pub(super) struct Payload<'a> {
    #[serde(borrow)]
    pub(super) object: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) entry: Option<Vec<Entry<'a>>>,
}

#[derive(Deserialize)]
pub(super) struct Entry<'a> {
    #[serde(borrow, default)]
    pub(super) changes: Vec<Change<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Change<'a> {
    #[serde(borrow)]
    pub(super) field: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) value: Option<Value<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Value<'a> {
    #[serde(borrow)]
    pub(super) metadata: Option<Metadata<'a>>,
    #[serde(borrow, default)]
    pub(super) messages: Vec<Inbound<'a>>,
    #[serde(borrow, default)]
    pub(super) statuses: Vec<Status<'a>>,
    #[serde(borrow, default)]
    pub(super) contacts: Vec<Contact<'a>>,
    /// Meta reporting a problem with the change (not with one message).
    pub(super) errors: Option<IgnoredAny>,
}

/// `contacts[]`: who the customer is (with business-scoped user ids, its country).
#[derive(Deserialize)]
pub(super) struct Contact<'a> {
    #[serde(borrow)]
    pub(super) user_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) country_code: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Metadata<'a> {
    #[serde(borrow)]
    pub(super) display_phone_number: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) phone_number_id: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Inbound<'a> {
    #[serde(borrow)]
    pub(super) from: Option<Scalar<'a>>,
    /// The customer's business-scoped user id (BSUID), when `from` has no number.
    #[serde(borrow)]
    pub(super) from_user_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) id: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) timestamp: Option<Scalar<'a>>,
    #[serde(borrow, rename = "type")]
    pub(super) kind: Option<Scalar<'a>>,
    pub(super) referral: Option<IgnoredAny>,
}

#[derive(Deserialize)]
pub(super) struct Status<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) status: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) timestamp: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) recipient_id: Option<Scalar<'a>>,
    /// The customer's business-scoped user id (BSUID), when `recipient_id` has no number.
    #[serde(borrow)]
    pub(super) recipient_user_id: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    pub(super) errors: Vec<StatusError<'a>>,
    #[serde(borrow)]
    pub(super) conversation: Option<Conversation<'a>>,
    #[serde(borrow)]
    pub(super) pricing: Option<PricingPayload<'a>>,
}

#[derive(Deserialize)]
pub(super) struct StatusError<'a> {
    #[serde(borrow)]
    pub(super) code: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Conversation<'a> {
    #[serde(borrow)]
    pub(super) id: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) origin: Option<Origin<'a>>,
    #[serde(borrow)]
    pub(super) expiration_timestamp: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
pub(super) struct Origin<'a> {
    #[serde(borrow, rename = "type")]
    pub(super) kind: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
pub(super) struct PricingPayload<'a> {
    #[serde(borrow)]
    pub(super) billable: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) pricing_model: Option<Scalar<'a>>,
    #[serde(borrow, rename = "type")]
    pub(super) kind: Option<Scalar<'a>>,
    #[serde(borrow)]
    pub(super) category: Option<Scalar<'a>>,
}
