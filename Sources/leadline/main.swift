print("leadline")
