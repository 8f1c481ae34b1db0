//! Phone numbers: normalise to digits (see spec section 7). Owned by helper; contract below.
