"""French glossary lines for the deliverables (REFERENCE §7) and the guide's fixed wording."""

from __future__ import annotations

GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Risque inacceptable (pratique interdite)", "Usage de l'IA interdit dans l'Union européenne depuis le 2 février 2025 (article 5 du règlement sur l'IA) : il doit être arrêté, aucune mesure de mise en conformité ne permet de le rendre acceptable."),
    ("Haut risque", "Usage de l'IA autorisé mais strictement encadré (article 6 et annexes I ou III) : contrôle humain, journaux conservés au moins six mois, information des personnes et des représentants du personnel, analyse d'impact ; obligations applicables à partir du 2 décembre 2027 (annexe III) ou du 2 août 2028 (produits de l'annexe I)."),
    ("Risque limité (transparence)", "Usage de l'IA autorisé à condition d'informer clairement les personnes (article 50) : indiquer qu'elles échangent avec une IA, ou que l'image, le son, la vidéo ou le texte d'information a été généré ou modifié par IA ; applicable depuis le 2 août 2026."),
    ("Risque minimal", "Usage de l'IA sans obligation particulière au titre du règlement sur l'IA, hormis la formation du personnel (article 4) ; le RGPD reste applicable dès que des données personnelles sont traitées."),
    ("Fournisseur", "Organisme qui développe un système d'IA (ou le fait développer) et le met sur le marché ou en service sous son propre nom."),
    ("Déployeur", "Organisme qui utilise un système d'IA sous sa propre autorité dans un cadre professionnel (cas de la plupart des PME)."),
    ("Maîtrise de l'IA", "Compétences et connaissances dont le personnel a besoin pour utiliser l'IA à bon escient et en connaître les risques ; l'entreprise doit prendre des mesures de formation adaptées."),
    ("Hypertrucage (deepfake)", "Image, son ou vidéo généré ou modifié par IA qui ressemble à une personne, un lieu ou un événement réels et pourrait passer pour authentique ; sa nature artificielle doit être signalée."),
    ("Reconnaissance des émotions", "Système d'IA qui déduit les émotions d'une personne à partir de son visage, de sa voix ou d'autres données biométriques ; interdit au travail et à l'école, sauf raisons médicales ou de sécurité."),
    ("Analyse d'impact sur les droits fondamentaux", "Évaluation préalable des risques d'un système d'IA à haut risque pour les droits des personnes, obligatoire notamment pour le crédit et l'assurance vie ou santé (article 27)."),
    ("AIPD (analyse d'impact relative à la protection des données)", "Étude préalable obligatoire lorsqu'un traitement de données personnelles présente un risque élevé (article 35 du RGPD), par exemple le tri automatisé de candidatures ou la surveillance des salariés."),
    ("Sous-traitant (RGPD)", "Prestataire qui traite des données personnelles pour le compte de l'entreprise ; un contrat conforme à l'article 28 du RGPD est obligatoire."),
    ("Transfert hors UE", "Envoi ou accès à des données personnelles depuis un pays hors de l'Espace économique européen ; il doit être encadré (décision d'adéquation, clauses contractuelles types…)."),
    ("Décision entièrement automatisée", "Décision prise par une machine sans intervention humaine réelle et ayant un effet important sur une personne ; en principe interdite sauf exceptions, avec droit d'obtenir une intervention humaine (article 22 du RGPD)."),
)

SECTOR_LINES = {
    "artisan": "Nos rendez-vous et devis générés par IA sont systématiquement relus par un artisan avant envoi.",
    "ecommerce": "Les recommandations produits sont basées sur l'historique d'achat, mais ne concernent jamais des produits réglementés (santé, finance).",
    "cabinet_liberal": "Aucun avis juridique, fiscal ou comptable n'est délivré sans relecture et validation par un professionnel diplômé.",
    "other": "Tout contenu ou résultat produit par IA et destiné à un client, un candidat ou un salarié est relu par une personne compétente avant diffusion.",
}

SECTOR_LABELS = {
    "artisan": "Artisan",
    "ecommerce": "E-commerce",
    "cabinet_liberal": "Cabinet libéral",
    "other": "Autre secteur",
}
