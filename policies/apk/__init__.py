"""Reading APKs without running them: manifest, signer, and the SDKs their DEX files define."""
