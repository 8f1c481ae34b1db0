//! Country -> market map (dated). Owned by helper; contract below.
